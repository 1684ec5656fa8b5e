using System.Diagnostics;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Teleop.Robot;

namespace RobotBridge.Teleop.Tests.Teleop;

/// <summary>
/// The teleop behaviour, run against each broker started for real (subclasses pick the broker).
/// </summary>
public abstract class TeleopBrokerTests
{
    private protected abstract Task<ITestBroker> StartBrokerAsync();

    private static readonly Twist Forward = new(0.05, 0, 0, 0, 0, 0);

    [Fact]
    public async Task Authorised_operator_moves_the_robot_only_while_holding_the_deadman()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        var (alice, _) = await rig.ArmAsync();

        await alice.SendGripperTwistAsync(Forward);
        await Eventually.True(() => rig.Robot.Count("twist") >= 1, "the twist reaches the robot");

        long refusedBefore = rig.Bridge.Stats.Refused(RefusalReason.DeadmanNotHeld);
        int twists = rig.Robot.Count("twist");
        await alice.SendGripperTwistAsync(Forward, deadman: false);
        await Eventually.True(() => rig.Bridge.Stats.Refused(RefusalReason.DeadmanNotHeld) > refusedBefore,
            "a command without the dead-man is refused");
        Assert.Equal(twists, rig.Robot.Calls.Count(c => c.Kind == "twist" && c.Detail.Contains("0.05")));
    }

    [Fact]
    public async Task Teleop_moves_the_twin_gripper_and_a_trip_halts_the_arm()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        var (alice, _) = await rig.ArmAsync();
        var start = new RobotState();
        rig.Twin.ReadState(start);

        for (int i = 0; i < 10; i++)
        {
            await alice.SendGripperTwistAsync(new Twist(0, 0, 0.05, 0, 0, 0));
            await Task.Delay(50);
        }
        var moved = new RobotState();
        rig.Twin.ReadState(moved);
        Assert.True(ArmTravel(start, moved) > 0.005, $"the arm moved {ArmTravel(start, moved):F4} rad under teleop");

        await alice.TripAsync("halt");
        await Eventually.True(() => rig.Latch.IsStopped, "the trip arrives");
        await Task.Delay(400);
        var halted = new RobotState();
        rig.Twin.ReadState(halted);
        double fastest = ArmIndices.Max(i => Math.Abs(halted.Velocity[i]));
        Assert.True(fastest < 0.02, $"arm joint still moving at {fastest:F3} rad/s 400 ms after the trip");
        await alice.SendGripperTwistAsync(new Twist(0, 0, 0.05, 0, 0, 0));
        await Eventually.True(() => rig.Bridge.Stats.Refused(RefusalReason.EStopActive) >= 1, "motion is refused while stopped");
    }

    [Fact]
    public async Task Teleop_commands_reach_the_robot_through_the_control_loop_and_a_deadman_release_drops_what_waits()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        var (alice, _) = await rig.ArmAsync();

        // With the loop held, an admitted command waits in its mailbox: nothing goes straight to the robot.
        rig.Loop.Stop();
        long executed = rig.Bridge.Stats.Executed;
        await alice.SendGripperAsync(0.07);
        await Eventually.True(() => rig.Bridge.Stats.Executed > executed, "the gripper command is admitted");
        await Task.Delay(200);
        Assert.Equal(0, rig.Robot.Count("gripper"));
        rig.Loop.Start();
        await Eventually.True(() => rig.Robot.Count("gripper") == 1, "the loop sends the waiting gripper command");

        // A command still waiting when the operator lets go of the dead-man is dropped, never sent after the stop.
        rig.Loop.Stop();
        executed = rig.Bridge.Stats.Executed;
        await alice.SendHeadAsync(0.3, 0.2);
        await Eventually.True(() => rig.Bridge.Stats.Executed > executed, "the head command is admitted");
        await alice.SendHeartbeatAsync(deadman: false);
        await Eventually.True(() => rig.Robot.Calls.Any(c => c.Kind == "stop" && c.Detail.Contains("dead-man")), "the release stops the robot");
        rig.Loop.Start();
        await Task.Delay(200);
        Assert.Equal(0, rig.Robot.Count("trajectory"));
    }

    private static readonly int[] ArmIndices = FetchJoints.Arm.Select(FetchJoints.IndexOf).ToArray();

    [Fact]
    public async Task A_retained_motion_command_does_not_move_the_arm_and_is_not_kept_for_later_subscribers()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        var (alice, _) = await rig.ArmAsync();
        var start = new RobotState();
        rig.Twin.ReadState(start);
        string topic = rig.Bridge.Topics.Operator(TestUsers.Alice, Protocol.OperatorChannel.GripperTwist);
        // Alice's account through a plain MQTT client: the console's own command (arm up at 5 cm/s), but retained.
        using var raw = new MqttClientFactory().CreateMqttClient();
        await raw.ConnectAsync(broker.EndpointFor(TestUsers.Alice).ToClientOptions("alice-raw"));
        long seq = 0;
        MqttApplicationMessage Command(bool retain) => new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Protocol.TeleopJson.Encode(new Protocol.GripperTwistCommand
            {
                Seq = ++seq, TMs = RobotBridge.Teleop.Operator.TeleopOperator.NowMs, TtlMs = 1000, Deadman = true, Linear = [0, 0, 0.05], Angular = [0, 0, 0],
            }))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();

        for (int i = 0; i < 10; i++)
        {
            await raw.PublishAsync(Command(retain: true)); // the embedded broker answers NotAuthorized; mosquitto accepts it
            await Task.Delay(50);
        }
        if (broker is EmbeddedTestBroker embedded)
        {
            await Eventually.True(() => embedded.Broker.RefusedRetainedCommands >= 10, "the embedded broker refuses every retained command");
        }
        else
        {
            await Eventually.True(() => rig.Bridge.Stats.Refused(RefusalReason.Retained) >= 10, "the bridge refuses every retained command");
        }
        await Task.Delay(300);
        var after = new RobotState();
        rig.Twin.ReadState(after);
        Assert.Equal(0, rig.Robot.Count("twist"));
        Assert.True(ArmTravel(start, after) < 0.002, $"the arm moved {ArmTravel(start, after):F4} rad on retained commands");

        // A subscriber arriving later (the robot's account: the only one that may read operator topics)
        // gets no stored command.
        var stored = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var late = new MqttClientFactory().CreateMqttClient();
        late.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Retain && e.ApplicationMessage.Payload.Length > 0) stored.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await late.ConnectAsync(broker.EndpointFor(TestUsers.Robot).ToClientOptions("late-subscriber"));
        await late.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(rig.Bridge.Topics.Base + "/op/#").WithAtLeastOnceQoS()).Build());
        await Task.Delay(1000);
        Assert.Empty(stored);

        // Control: the same command without the flag moves the robot.
        await raw.PublishAsync(Command(retain: false));
        await Eventually.True(() => rig.Robot.Count("twist") >= 1, () => $"the same command, not retained, runs (bridge: {rig.Bridge.Stats}; latch: {rig.Latch.Snapshot})");
    }

    private static double ArmTravel(RobotState a, RobotState b) => ArmIndices.Sum(i => Math.Abs(a.Position[i] - b.Position[i]));

    [Fact]
    public async Task Any_client_trips_the_estop_and_a_late_subscriber_sees_the_retained_state()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        await rig.ArmAsync();
        int stops = rig.Robot.Count("stop");

        var visitor = await rig.ConnectAsync(TestUsers.Visitor);
        await visitor.TripAsync("person in the cell");

        await Eventually.True(() => rig.Latch.IsStopped, "the latch trips");
        await Eventually.True(() => rig.Robot.Count("stop") > stops, "the robot is told to stop");
        Assert.Contains(rig.Robot.Calls, c => c.Kind == "stop" && c.Detail.Contains("person in the cell"));

        var late = await rig.ConnectAsync(TestUsers.Visitor);
        await Eventually.True(() => late.EStopState is { Stopped: true, Cause: "person in the cell" },
            () => $"a client connecting after the trip receives the retained e-stop state (it holds {Describe(late.EStopState)})");
    }

    [Fact]
    public async Task An_operator_holding_an_outdated_estop_state_is_corrected_within_the_refresh_period()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        await rig.ArmAsync();
        var visitor = await rig.ConnectAsync(TestUsers.Visitor);
        await visitor.TripAsync("person in the cell");
        await Eventually.True(() => visitor.EStopState is { Stopped: true }, "the visitor sees the trip");

        // What a lost retained update leaves behind (MQTTnet's broker can miss a subscriber that subscribes
        // while the state is being published): the broker's copy and the console both say "running".
        using (var robotAccount = new MqttClientFactory().CreateMqttClient())
        {
            await robotAccount.ConnectAsync(broker.EndpointFor(TestUsers.Robot).ToClientOptions("robot-outdated-state"));
            await robotAccount.PublishAsync(Protocol.TeleopDelivery.RetainedState(rig.Bridge.Topics.EStopState,
                Protocol.TeleopJson.Encode(new Protocol.EStopStateMessage
                {
                    State = "Running", Stopped = false, TripCount = 0, ActiveSources = [], EventSeq = 0, TimeUtc = DateTimeOffset.UtcNow,
                })));
            await robotAccount.DisconnectAsync();
        }
        await Eventually.True(() => visitor.EStopState is { Stopped: false }, "the outdated state reaches the console");

        var corrected = Stopwatch.StartNew();
        await Eventually.True(() => visitor.EStopState is { Stopped: true, Cause: "person in the cell" },
            () => $"the bridge publishes the real state again (the console holds {Describe(visitor.EStopState)})");
        Assert.True(corrected.Elapsed < TimeSpan.FromSeconds(3), $"corrected after {corrected.Elapsed.TotalSeconds:F2} s (refresh period 1 s)");
        var late = await rig.ConnectAsync(TestUsers.Visitor);
        await Eventually.True(() => late.EStopState is { Stopped: true }, "the broker's retained copy is corrected too");
    }

    [Fact]
    public async Task A_bridge_that_shuts_down_leaves_the_robot_marked_offline()
    {
        await using var broker = await StartBrokerAsync();
        var rig = await TeleopRig.StartAsync(broker);
        await using var watcher = new Operator.TeleopOperator(broker.EndpointFor(TestUsers.Visitor), "fetch", TestUsers.Visitor);
        await watcher.ConnectAsync();
        await Eventually.True(() => watcher.Link is { Online: true }, "the console sees the robot online");
        await Task.Delay(1200); // a state refresh has run: the bridge is republishing "online"

        await rig.DisposeAsync();
        await Eventually.True(() => watcher.Link is { Online: false }, "the console sees the robot go offline");
        await Task.Delay(1500); // longer than the refresh period: nothing marks it online again
        Assert.False(watcher.Link!.Online);
        await using var late = new Operator.TeleopOperator(broker.EndpointFor(TestUsers.Visitor), "fetch", TestUsers.Visitor);
        await late.ConnectAsync();
        await Eventually.True(() => late.Link is { Online: false }, "a console connecting later reads the retained offline state");
    }

    private static string Describe(Protocol.EStopStateMessage? state) =>
        state is null ? "no state" : $"stopped={state.Stopped} cause='{state.Cause}' state={state.State}";

    [Fact]
    public async Task Unauthorised_clients_cannot_move_the_robot_or_reset_but_can_trip()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        await rig.ArmAsync();

        // An operator account the robot does not accept: its commands are refused by the bridge.
        var mallory = await rig.ConnectAsync(TestUsers.Mallory);
        var malloryPump = rig.Pump(mallory);
        await mallory.SendGripperTwistAsync(Forward);
        await Eventually.True(() => rig.Bridge.Stats.Refused(RefusalReason.NotAuthorised) >= 2,
            "mallory's heartbeat and twist are refused as not authorised");

        // An observer posing as alice: the broker refuses to carry it.
        using (var raw = new MqttClientFactory().CreateMqttClient())
        {
            await raw.ConnectAsync(broker.EndpointFor(TestUsers.Visitor).ToClientOptions("visitor-raw"));
            var forged = new MqttApplicationMessageBuilder()
                .WithTopic(rig.Bridge.Topics.Operator(TestUsers.Alice, Protocol.OperatorChannel.GripperTwist))
                .WithPayload($$"""{"seq":{{long.MaxValue - 1}},"t_ms":{{Environment.TickCount64}},"ttl_ms":200,"deadman":true,"linear":[0.9,0,0],"angular":[0,0,0]}""")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            await raw.PublishAsync(forged);
            await raw.DisconnectAsync();
        }
        await Task.Delay(300);
        Assert.DoesNotContain(rig.Robot.Calls, c => c.Kind == "twist");
        Assert.Equal(0, rig.Bridge.Stats.Executed);

        // Mallory can trip ...
        await mallory.TripAsync("mallory pressed stop");
        await Eventually.True(() => rig.Latch.IsStopped, "an unauthorised operator can still trip");
        await malloryPump.StopAsync();

        // ... but not reset.
        await Eventually.True(() => rig.Latch.Snapshot.State == EStopState.AwaitingReset, "the momentary trip awaits reset");
        await mallory.ResetAsync();
        await Eventually.True(() => rig.Latch.Log.Snapshot().Any(e => e.Kind == SafetyEventKind.ResetRefused && e.Cause.Contains(TestUsers.Mallory)),
            "mallory's reset is refused and logged");
        Assert.True(rig.Latch.IsStopped);
    }

    [Fact]
    public async Task A_command_past_its_expiry_is_not_executed()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        var (alice, _) = await rig.ArmAsync();

        // Made a second ago with a 200 ms life: it must be dropped, not executed late.
        await alice.SendGripperTwistAsync(Forward, ttlMs: 200, createdAtMs: RobotBridge.Teleop.Operator.TeleopOperator.NowMs - 1000);
        await Eventually.True(() => rig.Bridge.Stats.Refused(RefusalReason.Expired) >= 1, "the stale command is refused as expired");
        Assert.Equal(0, rig.Robot.Count("twist"));

        // Control: the same command made now runs.
        await alice.SendGripperTwistAsync(Forward, ttlMs: 200);
        await Eventually.True(() => rig.Robot.Count("twist") >= 1, "a fresh command runs");
    }

    [Fact]
    public async Task Messages_carry_their_qos_retain_and_mqtt5_properties_through_the_broker()
    {
        await using var broker = await StartBrokerAsync();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, MqttApplicationMessage>();
        using var listener = new MqttClientFactory().CreateMqttClient();
        listener.ApplicationMessageReceivedAsync += e => { seen[e.ApplicationMessage.Topic] = e.ApplicationMessage; return Task.CompletedTask; };
        await listener.ConnectAsync(broker.EndpointFor(TestUsers.Robot).ToClientOptions("listener"));
        await listener.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("robotbridge/#").WithExactlyOnceQoS().WithRetainAsPublished(true)).Build());
        await using var alice = new Operator.TeleopOperator(broker.EndpointFor(TestUsers.Alice), "fetch", TestUsers.Alice);
        await alice.ConnectAsync();

        await alice.SendHeartbeatAsync(deadman: true);
        await alice.SendGripperTwistAsync(Forward, ttlMs: 1500);
        await alice.TripAsync("wire check");
        await alice.ResetAsync();
        var topics = new Protocol.TeleopTopics("fetch");
        string twist = topics.Operator(TestUsers.Alice, Protocol.OperatorChannel.GripperTwist);
        string heartbeat = topics.Operator(TestUsers.Alice, Protocol.OperatorChannel.Heartbeat);
        string reset = topics.Operator(TestUsers.Alice, Protocol.OperatorChannel.EStopReset);
        await Eventually.True(() => seen.ContainsKey(twist) && seen.ContainsKey(heartbeat) && seen.ContainsKey(topics.EStopTrip) && seen.ContainsKey(reset),
            "every message kind arrives");

        Assert.Equal((MqttQualityOfServiceLevel.AtMostOnce, false), (seen[twist].QualityOfServiceLevel, seen[twist].Retain));
        Assert.InRange(seen[twist].MessageExpiryInterval, 1u, 2u); // ttl 1.5 s rounds up to 2 s; a broker may have counted down
        Assert.Equal("application/json", seen[twist].ContentType);
        Assert.Equal(MqttPayloadFormatIndicator.CharacterData, seen[twist].PayloadFormatIndicator);
        Assert.Equal(MqttQualityOfServiceLevel.AtMostOnce, seen[heartbeat].QualityOfServiceLevel);
        Assert.Equal(1u, seen[heartbeat].MessageExpiryInterval);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, seen[topics.EStopTrip].QualityOfServiceLevel);
        Assert.Equal(0u, seen[topics.EStopTrip].MessageExpiryInterval);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, seen[reset].QualityOfServiceLevel);
        Assert.Equal(1u, seen[reset].MessageExpiryInterval);
    }

    [Fact]
    public async Task Losing_the_heartbeat_stops_the_robot_within_the_bound()
    {
        var bound = TimeSpan.FromMilliseconds(250);
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker, bound);
        var (alice, pump) = await rig.ArmAsync();
        await alice.SendGripperTwistAsync(Forward, ttlMs: 1000);
        await Eventually.True(() => rig.Robot.Count("twist") >= 1, "the robot moves");

        long lastBeat = await pump.StopAsync();
        await Eventually.True(() => rig.Latch.Snapshot.ActiveSources.Any(a => a.Source == TeleopBridge.HeartbeatSource),
            "the heartbeat watchdog trips");
        var stop = rig.Robot.Calls.First(c => c.Kind == "stop" && c.Ticks > lastBeat);
        var delay = Stopwatch.GetElapsedTime(lastBeat, stop.Ticks);
        // Bound plus one tick of the bridge and scheduling slack on a shared 2-core machine.
        Assert.True(delay < bound + TimeSpan.FromMilliseconds(150),
            $"robot stopped {delay.TotalMilliseconds:F0} ms after the last heartbeat; bound {bound.TotalMilliseconds} ms");
        Assert.True(delay >= bound - TimeSpan.FromMilliseconds(60), $"stopped too early ({delay.TotalMilliseconds:F0} ms): was it the heartbeat?");
    }

    [Fact]
    public async Task A_broker_outage_stops_the_robot()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker, TimeSpan.FromSeconds(30));
        await rig.ArmAsync();
        int stops = rig.Robot.Count("stop");

        await broker.StopAsync();

        await Eventually.True(() => rig.Latch.Snapshot.ActiveSources.Any(a => a.Source == TeleopBridge.LinkSource),
            "the link source trips");
        Assert.True(rig.Robot.Count("stop") > stops);
    }

    [Fact]
    public async Task Paho_client_trips_the_estop_and_receives_the_retained_state()
    {
        await using var broker = await StartBrokerAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        await rig.ArmAsync();
        long tripsBefore = rig.Latch.Snapshot.TripCount;

        var (exitCode, stdout, stderr) = await PahoClient.TripAndReadStateAsync(broker.Port, TestUsers.Visitor,
            TestUsers.Password(TestUsers.Visitor), rig.Bridge.Topics);

        Assert.True(exitCode == 0, $"paho client failed ({exitCode}): {stderr}");
        await Eventually.True(() => rig.Latch.IsStopped, "paho's trip stops the robot");
        Assert.Contains(rig.Robot.Calls, c => c.Kind == "stop" && c.Detail.Contains("paho"));
        using var state = JsonDocument.Parse(stdout);
        Assert.True(state.RootElement.GetProperty("stopped").GetBoolean(), stdout);
        Assert.True(state.RootElement.GetProperty("trip_count").GetInt64() > tripsBefore, $"retained state predates paho's trip: {stdout}");
        Assert.Contains(rig.Latch.Log.Snapshot(), e => e.Kind == SafetyEventKind.Trip && e.Cause == "tripped by paho");
    }
}

/// <summary>The broker suites measure stop times against a 250 ms bound: they run on their own, not
/// beside every other test class on a 2-core machine.</summary>
[CollectionDefinition(nameof(TimingSensitive), DisableParallelization = true)]
public sealed class TimingSensitive;

[Collection(nameof(TimingSensitive))]
public sealed class EmbeddedBrokerTeleopTests : TeleopBrokerTests
{
    private protected override async Task<ITestBroker> StartBrokerAsync() => await EmbeddedTestBroker.StartAsync();
}

[Collection(nameof(TimingSensitive))]
public sealed class MosquittoTeleopTests : TeleopBrokerTests
{
    private protected override async Task<ITestBroker> StartBrokerAsync() => await MosquittoTestBroker.StartAsync();
}
