using System.Collections.Concurrent;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;
using RobotBridge.Ros.Server;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>Our client against our server over real WebSockets: every op, both encodings, both dialects.</summary>
public class ClientServerTests
{
    private static JointState Sample(int i)
    {
        var js = new JointState();
        js.Header.Stamp = new RosTime(i, 5);
        js.Name.AddRange(["a_joint", "b_joint", "c_joint"]);
        js.Position.CopyFrom([i, i * 0.5, -i]);
        js.Velocity.CopyFrom([0.1, 0.2, 0.3]);
        return js;
    }

    [Theory]
    [InlineData(Compression.None, RosDialect.Ros1)]
    [InlineData(Compression.Cbor, RosDialect.Ros1)]
    [InlineData(Compression.Png, RosDialect.Ros1)]
    [InlineData(Compression.None, RosDialect.Ros2)]
    [InlineData(Compression.Cbor, RosDialect.Ros2)]
    public async Task Server_topic_reaches_a_subscriber_in_the_requested_encoding(Compression compression, RosDialect dialect)
    {
        await using var fx = new ServerFixture(new RosbridgeServerOptions { Dialect = dialect });
        var publisher = fx.Server.AdvertiseLocal<JointState>("/joint_states");
        var client = await fx.ConnectAsync(dialect);
        var received = new ConcurrentQueue<(double[] Position, List<string> Names, RosTime Stamp)>();
        using var sub = client.Subscribe<JointState>("joint_states", new SubscribeOptions { Compression = compression },
            js => received.Enqueue((js.Position.ToArray(), [.. js.Name], js.Header.Stamp)));
        await ServerFixture.Eventually(() => publisher.HasSubscribers, "server sees the subscription");
        for (int i = 1; i <= 5; i++)
        {
            publisher.Publish(Sample(i));
        }
        Assert.True(await sub.WaitForFirstMessageAsync(ServerFixture.Wait));
        await ServerFixture.Eventually(() => received.Count == 5, "five messages");
        var last = received.Last();
        Assert.Equal([5, 2.5, -5], last.Position);
        Assert.Equal(["a_joint", "b_joint", "c_joint"], last.Names);
        Assert.Equal(new RosTime(5, 5), last.Stamp);
        Assert.Equal(0, client.BadFrames);
    }

    [Fact]
    public async Task Client_publish_reaches_the_servers_typed_handler_and_a_second_client_in_cbor()
    {
        await using var fx = new ServerFixture();
        var seen = new ConcurrentQueue<double>();
        fx.Server.SubscribeLocal<TwistMsg>("/cmd_vel", (twist, _) => seen.Enqueue(twist.Linear.X));
        var commander = await fx.ConnectAsync();
        var listener = await fx.ConnectAsync();
        using var relay = listener.Subscribe<TwistMsg>("/cmd_vel", new SubscribeOptions { Compression = Compression.Cbor, MailboxCapacity = 4 });
        await ServerFixture.Eventually(() => fx.Server.HasSubscribers("/cmd_vel"), "listener subscribed");
        using var pub = commander.Advertise<TwistMsg>("/cmd_vel");
        var twist = new TwistMsg();
        twist.Linear.X = 0.25;
        Assert.True(pub.Publish(twist));
        await ServerFixture.Eventually(() => seen.Count == 1, "server handler got the twist");
        Assert.Equal(0.25, seen.Single());
        Assert.True(await relay.WaitForFirstMessageAsync(ServerFixture.Wait));
        Assert.True(relay.TryTake(out var relayed));
        Assert.Equal(0.25, relayed.Linear.X);
    }

    [Fact]
    public async Task Throttle_rate_drops_messages_on_the_server()
    {
        await using var fx = new ServerFixture();
        var publisher = fx.Server.AdvertiseLocal<JointState>("/joint_states");
        var client = await fx.ConnectAsync();
        int count = 0;
        using var sub = client.Subscribe<JointState>("/joint_states", new SubscribeOptions { ThrottleRateMs = 1000 }, _ => Interlocked.Increment(ref count));
        await ServerFixture.Eventually(() => publisher.HasSubscribers, "subscribed");
        for (int i = 0; i < 50; i++)
        {
            publisher.Publish(Sample(i));
        }
        Assert.True(await sub.WaitForFirstMessageAsync(ServerFixture.Wait));
        await Task.Delay(200);
        Assert.Equal(1, Volatile.Read(ref count));
    }

    [Fact]
    public async Task Latest_value_mailbox_keeps_memory_bounded_for_a_slow_consumer()
    {
        await using var fx = new ServerFixture();
        var publisher = fx.Server.AdvertiseLocal<JointState>("/joint_states");
        var client = await fx.ConnectAsync();
        using var sub = client.Subscribe<JointState>("/joint_states");
        await ServerFixture.Eventually(() => publisher.HasSubscribers, "subscribed");
        for (int i = 1; i <= 100; i++)
        {
            publisher.Publish(Sample(i));
        }
        await ServerFixture.Eventually(() => sub.Received == 100, "all 100 received");
        Assert.Equal(99, sub.Dropped);
        Assert.True(sub.TryTake(out var latest));
        Assert.Equal(100, latest.Position[0]);
        Assert.False(sub.TryTake(out _));
    }

    [Fact]
    public async Task Services_local_missing_and_client_provided()
    {
        await using var fx = new ServerFixture();
        fx.Server.AdvertiseLocal<JointState>("/joint_states");
        var caller = await fx.ConnectAsync();
        var provider = await fx.ConnectAsync();

        var type = await caller.CallServiceAsync<TopicTypeResponse>("rosapi/topic_type", new TopicTypeRequest { Topic = "/joint_states" });
        Assert.Equal("sensor_msgs/JointState", type.Type);

        var missing = await Assert.ThrowsAsync<RosbridgeCallException>(() => caller.CallServiceAsync<TriggerResponse>("/no_such_service"));
        Assert.Contains("does not exist", missing.Message);

        using var registration = provider.AdvertiseService<SetBoolRequest, TriggerResponse>("/set_flag", "std_srvs/SetBool",
            request => new TriggerResponse { Success = request.Data, Message = "flag " + request.Data });
        await Task.Delay(100);
        var answer = await caller.CallServiceAsync<TriggerResponse>("/set_flag", new SetBoolRequest { Data = true });
        Assert.True(answer.Success);
        Assert.Equal("flag True", answer.Message);
    }

    [Fact]
    public async Task Every_call_is_timed_out_by_the_client()
    {
        await using var fx = new ServerFixture();
        var caller = await fx.ConnectAsync();
        var provider = await fx.ConnectAsync();
        using var registration = provider.AdvertiseService<EmptyMsg, TriggerResponse>("/slow", "std_srvs/Trigger", _ =>
        {
            Thread.Sleep(1500);
            return new TriggerResponse();
        });
        await Task.Delay(100);
        var e = await Assert.ThrowsAsync<RosbridgeCallException>(() =>
            caller.CallServiceAsync<TriggerResponse>("/slow", timeout: TimeSpan.FromMilliseconds(300)));
        Assert.Contains("no reply within", e.Message);
    }

    [Fact]
    public async Task Bad_messages_get_a_status_error_naming_the_fault_and_the_connection_survives()
    {
        await using var fx = new ServerFixture();
        fx.Server.SubscribeLocal<BoolMsg>("/enable_software_runstop", (_, _) => { });
        var client = await fx.ConnectAsync();
        var statuses = new ConcurrentQueue<string>();
        client.StatusReceived += (_, e) => statuses.Enqueue(e.Message);
        using var pub = client.Advertise<TwistMsg>("/unrelated");
        // Wrong type for the topic's handler: a Twist body has fields a Bool does not.
        Assert.True(client.TrySend(Frames.Json(0, static (json, _) =>
        {
            json.WriteStartObject();
            json.WriteString("op", "publish");
            json.WriteString("topic", "/enable_software_runstop");
            json.WriteStartObject("msg");
            json.WriteNumber("bogus", 1);
            json.WriteEndObject();
            json.WriteEndObject();
        })));
        Assert.True(client.TrySend(Frames.Json(0, static (json, _) =>
        {
            json.WriteStartObject();
            json.WriteString("op", "frobnicate");
            json.WriteEndObject();
        })));
        await ServerFixture.Eventually(() => statuses.Count >= 2, "two status errors");
        Assert.Contains(statuses, s => s.Contains("bogus"));
        Assert.Contains(statuses, s => s.Contains("unknown operation 'frobnicate'"));
        var ok = await client.CallServiceAsync<TopicsResponse>("/rosapi/topics");
        Assert.Contains("/enable_software_runstop", ok.Topics);
    }

    [Fact]
    public async Task Long_messages_are_fragmented_by_the_client_and_reassembled_by_the_server()
    {
        await using var fx = new ServerFixture();
        var seen = new ConcurrentQueue<string>();
        fx.Server.SubscribeLocal<StringMsg>("/chatter", (m, _) => seen.Enqueue(m.Data));
        var client = await fx.ConnectAsync(configure: o => o with { FragmentSize = 40 });
        using var pub = client.Advertise<StringMsg>("/chatter");
        string text = string.Concat(Enumerable.Repeat("fragmented-", 30));
        pub.Publish(new StringMsg { Data = text });
        await ServerFixture.Eventually(() => seen.Count == 1, "reassembled message");
        Assert.Equal(text, seen.Single());
    }

    [Fact]
    public void Fragments_as_rosbridge_sends_them_are_reassembled_id_0_float_total_any_order()
    {
        var assembler = new FragmentAssembler();
        string whole = """{"op":"publish","topic":"/x","msg":{"data":"hello fragments"}}""";
        var parts = Enumerable.Range(0, 4).Select(i => whole.Substring(i * 16, Math.Min(16, whole.Length - i * 16))).ToArray();
        string? result = null;
        foreach (int i in new[] { 2, 0, 3, 1 })
        {
            using var fragment = IncomingMessage.ParseJson(System.Text.Encoding.UTF8.GetBytes(
                $$"""{"op":"fragment","id":0,"data":{{System.Text.Json.JsonSerializer.Serialize(parts[i])}},"num":{{i}},"total":4.1875}"""));
            result = assembler.Add(fragment) ?? result;
        }
        Assert.Equal(whole, result);
        Assert.Equal(0, assembler.PendingCount);
    }

    [Fact]
    public async Task Auth_first_message_admits_a_valid_mac_and_closes_on_a_bad_one()
    {
        const string secret = "1234567890abcdef";
        await using var fx = new ServerFixture(new RosbridgeServerOptions { Credentials = new ServerCredentials([(ClientRole.Supervisor, secret)]) });
        var good = RosAuthRequest.Create(secret, "127.0.0.1", "127.0.0.1", "supervisor", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        var client = await fx.ConnectAsync(configure: o => o with { Auth = good });
        var topics = await client.CallServiceAsync<TopicsResponse>("/rosapi/topics");
        Assert.NotNull(topics);

        var bad = good with { Mac = new string('0', 128) };
        var intruder = new RosbridgeClient(new RosbridgeClientOptions(fx.Server.Uri) { Auth = bad, ReconnectDelayMin = TimeSpan.FromSeconds(5) });
        var lost = new TaskCompletionSource<string?>();
        intruder.StateChanged += (_, e) =>
        {
            if (e.Current == ConnectionState.Lost)
            {
                lost.TrySetResult(e.Reason);
            }
        };
        intruder.Start();
        var finished = await Task.WhenAny(lost.Task, Task.Delay(ServerFixture.Wait));
        Assert.Same(lost.Task, finished);
        await intruder.DisposeAsync();
    }

    [Fact]
    public async Task Ros2_action_ops_send_goal_feedback_result_and_cancel()
    {
        await using var fx = new ServerFixture(new RosbridgeServerOptions { Dialect = RosDialect.Ros2 });
        fx.Server.ProvideAction<FollowJointTrajectoryGoal>("/arm_controller/follow_joint_trajectory", (goal, handle) =>
        {
            _ = Task.Run(async () =>
            {
                var feedback = new FollowJointTrajectoryFeedback();
                feedback.JointNames.AddRange(goal.Trajectory.JointNames);
                handle.SendFeedback(feedback);
                try
                {
                    await Task.Delay(goal.Trajectory.Points.Count > 1 ? 5000 : 50, handle.CancelRequested);
                    handle.Finish(Ros2GoalStatus.Succeeded, new FollowJointTrajectoryResult());
                }
                catch (OperationCanceledException)
                {
                    handle.Finish(Ros2GoalStatus.Canceled, new FollowJointTrajectoryResult { ErrorString = "canceled" });
                }
            });
        });
        var client = await fx.ConnectAsync(RosDialect.Ros2);
        var goal = new FollowJointTrajectoryGoal();
        goal.Trajectory.JointNames.Add("shoulder_pan_joint");
        goal.Trajectory.Points.Add(new JointTrajectoryPoint { TimeFromStart = RosTime.FromSeconds(1) });
        var feedbacks = new ConcurrentQueue<int>();
        var handle = client.SendActionGoal<FollowJointTrajectoryGoal, FollowJointTrajectoryResult, FollowJointTrajectoryFeedback>(
            "/arm_controller/follow_joint_trajectory", goal, ServerFixture.Wait, f => feedbacks.Enqueue(f.JointNames.Count));
        var outcome = await handle.Outcome;
        Assert.True(outcome.Succeeded);
        Assert.Equal([1], feedbacks);

        goal.Trajectory.Points.Add(new JointTrajectoryPoint { TimeFromStart = RosTime.FromSeconds(2) });
        var slow = client.SendActionGoal<FollowJointTrajectoryGoal, FollowJointTrajectoryResult, FollowJointTrajectoryFeedback>(
            "/arm_controller/follow_joint_trajectory", goal, ServerFixture.Wait);
        await Task.Delay(100);
        Assert.True(slow.Cancel());
        var canceled = await slow.Outcome;
        Assert.Equal(Ros2GoalStatus.Canceled, canceled.Status);
        Assert.False(canceled.Succeeded);
    }

    [Fact]
    public async Task Dropped_connection_reconnects_readvertises_and_resubscribes()
    {
        await using var fx = new ServerFixture();
        var publisher = fx.Server.AdvertiseLocal<JointState>("/joint_states");
        var commands = new ConcurrentQueue<double>();
        fx.Server.SubscribeLocal<TwistMsg>("/cmd_vel", (t, _) => commands.Enqueue(t.Linear.X));
        var client = await fx.ConnectAsync(configure: o => o with { ReconnectDelayMin = TimeSpan.FromMilliseconds(50) });
        var states = new ConcurrentQueue<ConnectionState>();
        client.StateChanged += (_, e) => states.Enqueue(e.Current);
        using var sub = client.Subscribe<JointState>("/joint_states");
        using var pub = client.Advertise<TwistMsg>("/cmd_vel");
        await ServerFixture.Eventually(() => publisher.HasSubscribers, "subscribed");

        fx.Server.DropAllConnections();
        await ServerFixture.Eventually(() => states.Contains(ConnectionState.Lost), "client noticed the loss");
        var whileDown = new TwistMsg();
        whileDown.Linear.X = 9;
        await ServerFixture.Eventually(() => client.State == ConnectionState.Connected && publisher.HasSubscribers, "reconnected and resubscribed");
        Assert.Equal(2, client.ConnectCount);

        publisher.Publish(Sample(42));
        Assert.True(await sub.WaitForFirstMessageAsync(ServerFixture.Wait), "messages flow again after the reconnect");
        var twist = new TwistMsg();
        twist.Linear.X = 0.5;
        Assert.True(pub.Publish(twist));
        await ServerFixture.Eventually(() => commands.Contains(0.5), "re-advertised publisher works");
        Assert.DoesNotContain(9.0, commands);
    }

    [Fact]
    public async Task Cbor_subscription_falls_back_to_json_when_no_cbor_message_arrives()
    {
        await using var fx = new ServerFixture();
        var publisher = fx.Server.AdvertiseLocal<JointState>("/joint_states");
        var client = await fx.ConnectAsync();
        var statuses = new ConcurrentQueue<string>();
        client.StatusReceived += (_, e) => statuses.Enqueue(e.Message);
        // Nothing is published for the first 300 ms, as when rosbridge 1 silently fails to CBOR-encode JointState.
        using var sub = client.Subscribe<JointState>("/joint_states",
            new SubscribeOptions { Compression = Compression.Cbor, FallbackToJsonAfter = TimeSpan.FromMilliseconds(300) });
        await ServerFixture.Eventually(() => sub.Compression == Compression.None, "fell back to JSON");
        Assert.Contains(statuses, s => s.Contains("resubscribed with JSON"));
        await Task.Delay(50);
        publisher.Publish(Sample(1));
        Assert.True(await sub.WaitForFirstMessageAsync(ServerFixture.Wait));
    }

    [Fact]
    public async Task Calls_fail_fast_while_disconnected_and_publishes_are_dropped_not_queued()
    {
        var client = new RosbridgeClient(new RosbridgeClientOptions(new Uri("ws://127.0.0.1:1")) { ConnectTimeout = TimeSpan.FromMilliseconds(200) });
        client.Start();
        using var pub = client.Advertise<TwistMsg>("/cmd_vel");
        Assert.False(pub.Publish(new TwistMsg()));
        Assert.Equal(1, pub.Dropped);
        await Assert.ThrowsAsync<RosbridgeCallException>(() => client.CallServiceAsync<TriggerResponse>("/x"));
        await client.DisposeAsync();
    }
}
