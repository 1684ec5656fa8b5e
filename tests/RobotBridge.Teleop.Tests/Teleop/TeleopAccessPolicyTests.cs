using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Tests.Teleop;

public sealed class TeleopAccessPolicyTests
{
    private readonly TeleopAccessPolicy _policy = TestUsers.Policy();
    private readonly TeleopTopics _topics = new("fetch");

    [Fact]
    public void Anyone_may_trip_only_operators_command_under_their_own_name()
    {
        Assert.True(_policy.MayPublish(TestUsers.Visitor, _topics.EStopTrip));
        Assert.False(_policy.MayPublish(TestUsers.Visitor, _topics.Operator(TestUsers.Visitor, OperatorChannel.GripperTwist)));
        Assert.True(_policy.MayPublish(TestUsers.Alice, _topics.Operator(TestUsers.Alice, OperatorChannel.GripperTwist)));
        Assert.False(_policy.MayPublish(TestUsers.Alice, _topics.Operator(TestUsers.Mallory, OperatorChannel.GripperTwist)));
        Assert.False(_policy.MayPublish(TestUsers.Alice, _topics.EStopState), "only the robot publishes state");
        Assert.False(_policy.MayPublish(null, _topics.EStopTrip), "anonymous clients may do nothing");
    }

    [Fact]
    public void Subscriptions_may_not_reach_beyond_what_is_readable()
    {
        Assert.True(_policy.MaySubscribe(TestUsers.Visitor, _topics.AllState));
        Assert.True(_policy.MaySubscribe(TestUsers.Visitor, "robotbridge/+/telemetry/joints"));
        Assert.False(_policy.MaySubscribe(TestUsers.Visitor, "robotbridge/#"));
        Assert.False(_policy.MaySubscribe(TestUsers.Alice, _topics.AllOperators), "operators do not read each other's commands");
        Assert.True(_policy.MaySubscribe(TestUsers.Robot, _topics.AllOperators));
    }

    [Fact]
    public void The_mosquitto_acl_ties_operator_topics_to_the_user()
    {
        string acl = _policy.ToMosquittoAcl();
        Assert.Contains("pattern write robotbridge/+/estop/trip", acl);
        Assert.Contains("user alice\ntopic write robotbridge/+/op/alice/#", acl.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("op/visitor", acl);
    }

    [Fact]
    public void Bad_accounts_are_refused_with_the_reason()
    {
        Assert.Contains("empty password", Assert.Throws<ArgumentException>(() => new TeleopAccessPolicy([new TeleopUser("a", "", TeleopRole.Operator)])).Message);
        Assert.Contains("cannot be an MQTT topic level", Assert.Throws<ArgumentException>(() => new TeleopAccessPolicy([new TeleopUser("a/b", "x", TeleopRole.Operator)])).Message);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => new TeleopAccessPolicy(
            [new TeleopUser("a", "x", TeleopRole.Operator), new TeleopUser("a", "y", TeleopRole.Observer)])).Message);
    }

    [Fact]
    public void The_user_file_names_the_line_that_is_wrong()
    {
        var error = Assert.Throws<FormatException>(() => TeleopUserFile.Parse(["# accounts", "robot:pw:robot", "", "alice:a:b:operator"], "users.txt"));
        Assert.Equal("users.txt line 4: expected name:password:role, got 4 field(s)", error.Message);
        var role = Assert.Throws<FormatException>(() => TeleopUserFile.Parse(["bob:pw:admin"], "users.txt"));
        Assert.Contains("role 'admin'", role.Message);
        var ok = TeleopUserFile.Parse(["robot:pw:robot", "alice:pw:Operator"], "users.txt");
        Assert.Equal(TeleopRole.Operator, ok[1].Role);
    }
}
