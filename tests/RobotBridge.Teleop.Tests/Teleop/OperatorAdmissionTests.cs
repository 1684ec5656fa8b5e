using RobotBridge.Teleop.Protocol;
using RobotBridge.Teleop.Robot;

namespace RobotBridge.Teleop.Tests.Teleop;

/// <summary>The bridge's rules about operators, without a broker or a robot: time is a number passed in.</summary>
public sealed class OperatorAdmissionTests
{
    private const string Alice = "alice";
    private const string Bob = "bob";
    private const long BoundMs = 250;

    private readonly TeleopBridgeStats _stats = new();
    private readonly OperatorAdmission _admission;
    private long _seq;

    public OperatorAdmissionTests() =>
        _admission = new OperatorAdmission([Alice, Bob], TimeSpan.FromMilliseconds(BoundMs), TimeSpan.FromSeconds(10), _stats);

    // The operator's clock runs with the robot's here (t_ms = now): every message arrives with no delay.
    private OperatorHeartbeat Beat(long nowMs, bool deadman = true) => new() { Seq = ++_seq, TMs = nowMs, Deadman = deadman };

    private GripperTwistCommand Twist(long nowMs, int ttlMs = 200, bool deadman = true, long? tMs = null) => new()
    {
        Seq = ++_seq, TMs = tMs ?? nowMs, TtlMs = ttlMs, Deadman = deadman, Linear = [0.05, 0, 0], Angular = [0, 0, 0],
    };

    [Fact]
    public void Only_authorised_operators_count_except_for_a_reset_which_the_latch_judges()
    {
        Assert.True(_admission.Authorised(Alice, OperatorChannel.GripperTwist));
        Assert.False(_admission.Authorised("mallory", OperatorChannel.GripperTwist));
        Assert.False(_admission.Authorised("mallory", OperatorChannel.Heartbeat));
        Assert.True(_admission.Authorised("mallory", OperatorChannel.EStopReset));
        Assert.Equal(2, _stats.Refused(RefusalReason.NotAuthorised));
    }

    [Fact]
    public void Motion_needs_the_deadman_held_by_a_heartbeat_younger_than_the_bound()
    {
        Assert.False(_admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, Twist(1000), robotStopped: false, 1000));
        Assert.Equal(HeartbeatVerdict.Admitted, _admission.Heartbeat(Alice, Beat(1000), 1000));
        Assert.True(_admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, Twist(1100), robotStopped: false, 1100));
        Assert.False(_admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, Twist(1000 + BoundMs + 1), robotStopped: false, 1000 + BoundMs + 1));
        Assert.False(_admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, Twist(1120, deadman: false), robotStopped: false, 1120));
        Assert.Equal(3, _stats.Refused(RefusalReason.DeadmanNotHeld));
        // Bob holds no dead-man of his own: Alice's does not count for him.
        Assert.False(_admission.AdmitMotion(Bob, OperatorChannel.GripperTwist, Twist(1130), robotStopped: false, 1130));
    }

    [Fact]
    public void Motion_is_refused_while_the_robot_is_stopped()
    {
        _admission.Heartbeat(Alice, Beat(1000), 1000);
        Assert.False(_admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, Twist(1010), robotStopped: true, 1010));
        Assert.Equal(1, _stats.Refused(RefusalReason.EStopActive));
    }

    [Fact]
    public void Out_of_order_and_late_messages_are_refused()
    {
        _admission.Heartbeat(Alice, Beat(1000), 1000);
        var twist = Twist(1010);
        Assert.True(_admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, twist, false, 1010));
        Assert.False(_admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, twist, false, 1020)); // the same seq again
        Assert.Equal(1, _stats.Refused(RefusalReason.OutOfOrder));

        _admission.Heartbeat(Alice, Beat(1100), 1100);
        // Sent at the operator's t_ms 1000 but arriving at 1150: 150 ms under way against a 100 ms ttl.
        Assert.False(_admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, Twist(1150, ttlMs: 100, tMs: 1000), false, 1150));
        Assert.Equal(1, _stats.Refused(RefusalReason.Expired));
    }

    [Fact]
    public void Letting_go_of_the_deadman_stops_only_the_operator_who_drives()
    {
        _admission.Heartbeat(Alice, Beat(1000), 1000);
        _admission.Heartbeat(Bob, Beat(1000), 1000);
        var twist = Twist(1010);
        Assert.True(_admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, twist, false, 1010));
        _admission.Executed(Alice, twist, 1010);
        Assert.Equal(Alice, _admission.MotionOperator);

        Assert.Equal(HeartbeatVerdict.Admitted, _admission.Heartbeat(Bob, Beat(1050, deadman: false), 1050));
        Assert.Equal(HeartbeatVerdict.AdmittedStopMotion, _admission.Heartbeat(Alice, Beat(1060, deadman: false), 1060));
        Assert.Null(_admission.MotionOperator);
    }

    [Fact]
    public void A_twist_runs_out_after_its_ttl_and_a_silent_driver_stops_the_robot()
    {
        _admission.Heartbeat(Alice, Beat(1000), 1000);
        var twist = Twist(1010, ttlMs: 200);
        _admission.AdmitMotion(Alice, OperatorChannel.GripperTwist, twist, false, 1010);
        _admission.Executed(Alice, twist, 1010);

        Assert.Equal(new MotionExpiry(null, false, false), _admission.Expire(1200));
        Assert.Equal(new MotionExpiry(null, true, false), _admission.Expire(1211)); // zero twist once, not a stop
        Assert.Equal(new MotionExpiry(null, false, false), _admission.Expire(1220));

        MotionExpiry silent = _admission.Expire(1000 + BoundMs + 1); // no heartbeat since 1000
        Assert.Contains("dead-man not confirmed", silent.StopReason);
        Assert.Null(_admission.MotionOperator);
        Assert.Equal(new MotionExpiry(null, false, false), _admission.Expire(2000));
    }

    [Fact]
    public void An_operator_silent_for_two_seconds_starts_a_new_session()
    {
        _admission.Heartbeat(Alice, new OperatorHeartbeat { Seq = 500, TMs = 1000, Deadman = true }, 1000);
        // A restarted console counts from 1 again and its clock from zero: refused while the session lives,
        Assert.Equal(HeartbeatVerdict.Refused, _admission.Heartbeat(Alice, new OperatorHeartbeat { Seq = 1, TMs = 0, Deadman = true }, 1500));
        // taken once the old session is forgotten.
        long later = 1500 + OperatorAdmission.ForgetOperatorAfterMs + 1;
        Assert.Equal(HeartbeatVerdict.Admitted, _admission.Heartbeat(Alice, new OperatorHeartbeat { Seq = 2, TMs = 10, Deadman = true }, later));
    }
}
