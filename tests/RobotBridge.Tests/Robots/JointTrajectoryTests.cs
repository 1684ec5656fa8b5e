using RobotBridge.Robots;

namespace RobotBridge.Tests.Robots;

public class JointTrajectoryTests
{
    [Fact]
    public void Validate_rejects_a_nan_position_and_names_the_joint()
    {
        var positions = new double[7];
        positions[3] = double.NaN;
        var trajectory = new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint(positions, null, TimeSpan.FromSeconds(1))]);

        var error = Assert.Throws<ArgumentException>(trajectory.Validate);
        Assert.Contains(FetchJoints.ElbowFlex, error.Message);
    }

    [Fact]
    public void Validate_rejects_the_wrong_number_of_positions()
    {
        var trajectory = new JointTrajectory(JointGroup.Head, [new TrajectoryPoint(new double[3], null, TimeSpan.FromSeconds(1))]);
        Assert.Throws<ArgumentException>(trajectory.Validate);
    }

    [Fact]
    public void Validate_accepts_increasing_finite_points()
    {
        var trajectory = new JointTrajectory(JointGroup.Torso,
        [
            new TrajectoryPoint([0.1], null, TimeSpan.FromSeconds(1)),
            new TrajectoryPoint([0.2], [0.0], TimeSpan.FromSeconds(2)),
        ]);
        trajectory.Validate();
    }

    [Fact]
    public void Canonical_joint_order_contains_every_group()
    {
        foreach (JointGroup group in Enum.GetValues<JointGroup>())
        {
            Assert.All(FetchJoints.Of(group), j => Assert.True(FetchJoints.IndexOf(j) >= 0, j));
        }
    }
}
