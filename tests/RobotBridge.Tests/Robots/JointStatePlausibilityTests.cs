using RobotBridge.Model;
using RobotBridge.Robots;

namespace RobotBridge.Tests.Robots;

public class JointStatePlausibilityTests
{
    private static readonly int Pan = FetchJoints.IndexOf(FetchJoints.ShoulderPan);
    private static readonly int WristRoll = FetchJoints.IndexOf(FetchJoints.WristRoll);
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    private static JointStatePlausibility Make() => new(FetchModel.Load());

    [Fact]
    public void Motion_at_the_speed_limit_passes()
    {
        var check = Make();
        double speed = FetchModel.Load().Joints.Single(j => j.Name == FetchJoints.ShoulderPan).Limits!.Velocity;
        for (int i = 0; i < 100; i++)
        {
            Assert.Null(check.Check(Pan, speed * 0.01 * i, Period * (i + 1)));
        }
        Assert.Equal(0, check.Rejected);
    }

    [Fact]
    public void A_second_publisher_interleaving_a_fake_position_is_caught_every_time_and_the_real_stream_stays_the_reference()
    {
        // The spoof: a client republishing shoulder_pan 1.4 while the robot holds it at 0.
        var check = Make();
        int caught = 0;
        for (int i = 1; i <= 50; i++)
        {
            Assert.Null(check.Check(Pan, 0.0, Period * i));
            if (check.Check(Pan, 1.4, Period * i + TimeSpan.FromMilliseconds(5)) is { } cause)
            {
                Assert.Contains("shoulder_pan_joint jumped", cause);
                caught++;
            }
        }
        Assert.Equal(50, caught);
    }

    [Fact]
    public void A_stamp_older_than_the_last_is_refused_naming_the_joint()
    {
        var check = Make();
        Assert.Null(check.Check(Pan, 0.1, TimeSpan.FromSeconds(10)));
        string? cause = check.Check(Pan, 0.1, TimeSpan.FromSeconds(9));
        Assert.NotNull(cause);
        Assert.Contains("shoulder_pan_joint", cause);
        Assert.Contains("before the last one", cause);
    }

    [Fact]
    public void A_continuous_joint_wrapping_from_pi_to_minus_pi_is_not_a_jump()
    {
        var check = Make();
        Assert.Null(check.Check(WristRoll, Math.PI - 0.001, Period));
        Assert.Null(check.Check(WristRoll, -Math.PI + 0.001, Period * 2));
    }

    [Fact]
    public void A_jump_that_persists_becomes_the_reference_after_it_was_reported()
    {
        var check = Make();
        Assert.Null(check.Check(Pan, 0.0, Period));
        var stamp = Period;
        int reported = 0;
        while (stamp < Period + JointStatePlausibility.ReanchorAfter + Period * 3)
        {
            stamp += Period;
            if (check.Check(Pan, 1.0, stamp) is not null)
            {
                reported++;
            }
        }
        Assert.True(reported > 0);
        Assert.Null(check.Check(Pan, 1.0, stamp + Period));
    }

    [Fact]
    public void Zero_stamps_cannot_be_judged_and_pass()
    {
        var check = Make();
        Assert.Null(check.Check(Pan, 0.0, TimeSpan.Zero));
        Assert.Null(check.Check(Pan, 1.4, TimeSpan.Zero));
    }
}
