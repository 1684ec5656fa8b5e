using System.Collections.Concurrent;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>Issue 15 §1: who may do what on <c>serve</c> (rosauth roles, robot-owned topics, the runstop).</summary>
public sealed class ServerAccessTests
{
    private const string ViewerSecret = "viewer-secret-0123456789";
    private const string OperatorSecret = "operator-secret-0123456789";
    private const string SupervisorSecret = "supervisor-secret-0123456789";

    private static ServerCredentials Credentials() => new([
        (ClientRole.Viewer, ViewerSecret), (ClientRole.Operator, OperatorSecret), (ClientRole.Supervisor, SupervisorSecret)]);

    private static RosAuthRequest Auth(string secret, string level) =>
        RosAuthRequest.Create(secret, "127.0.0.1", "127.0.0.1", level, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));

    private static ConcurrentQueue<string> Statuses(RosbridgeClient client)
    {
        var statuses = new ConcurrentQueue<string>();
        client.StatusReceived += (_, e) => statuses.Enqueue(e.Message);
        return statuses;
    }

    [Fact]
    public async Task A_client_cannot_publish_a_topic_the_robot_owns()
    {
        await using var fx = new ServerFixture();
        var robot = fx.Server.AdvertiseLocal<JointState>("/joint_states");
        var watcher = await fx.ConnectAsync();
        var seen = new ConcurrentQueue<double>();
        using var sub = watcher.Subscribe<JointState>("/joint_states", onMessage: m => seen.Enqueue(m.Position.Count > 0 ? m.Position[0] : double.NaN));
        var spoofer = await fx.ConnectAsync();
        var statuses = Statuses(spoofer);
        await Task.Delay(200);
        using var fake = spoofer.Advertise<JointState>("/joint_states");
        var spoofed = new JointState();
        spoofed.Name.Add("shoulder_pan_joint");
        spoofed.Position.CopyFrom([1.4]);
        for (int i = 0; i < 5; i++)
        {
            fake.Publish(spoofed);
        }
        await ServerFixture.Eventually(() => statuses.Any(s => s.Contains("published by the robot")), "a refusal naming the robot's topic");
        var real = new JointState();
        real.Name.Add("shoulder_pan_joint");
        real.Position.CopyFrom([0.1]);
        robot.Publish(real);
        await ServerFixture.Eventually(() => seen.Contains(0.1), "the robot's own joint state");
        Assert.DoesNotContain(1.4, seen);
    }

    [Fact]
    public async Task Roles_decide_who_commands_a_viewer_only_watches_and_a_mac_for_another_level_is_refused()
    {
        await using var fx = new ServerFixture(new RosbridgeServerOptions { Credentials = Credentials() });
        var commands = new ConcurrentQueue<int>();
        fx.Server.SubscribeLocal<TwistMsg>("/cmd_vel", (_, session) => commands.Enqueue(session.Id));
        var robot = fx.Server.AdvertiseLocal<BoolMsg>("/state");

        var viewer = await fx.ConnectAsync(configure: o => o with { Auth = Auth(ViewerSecret, "viewer") });
        var viewerStatuses = Statuses(viewer);
        int seen = 0;
        using var watch = viewer.Subscribe<BoolMsg>("/state", onMessage: _ => Interlocked.Increment(ref seen));
        using var viewerCmd = viewer.Advertise<TwistMsg>("/cmd_vel");
        viewerCmd.Publish(new TwistMsg());
        await ServerFixture.Eventually(() => viewerStatuses.Any(s => s.Contains("needs the operator role")), "the viewer's command refused");
        await ServerFixture.Eventually(() =>
        {
            robot.Publish(new BoolMsg { Data = true });
            return Volatile.Read(ref seen) > 0;
        }, "the viewer still watches");
        Assert.Empty(commands);

        var op = await fx.ConnectAsync(configure: o => o with { Auth = Auth(OperatorSecret, "operator") });
        using var opCmd = op.Advertise<TwistMsg>("/cmd_vel");
        await ServerFixture.Eventually(() =>
        {
            opCmd.Publish(new TwistMsg());
            return !commands.IsEmpty;
        }, "the operator's command handled");

        // The viewer's secret does not make an operator: the level is part of the MAC and picks the secret.
        var forged = new RosbridgeClient(new RosbridgeClientOptions(fx.Server.Uri)
        {
            Auth = Auth(ViewerSecret, "operator"),
            ReconnectDelayMin = TimeSpan.FromSeconds(5),
        });
        var refused = new ConcurrentQueue<string>();
        fx.Server.StatusSent += (_, text) => refused.Enqueue(text);
        forged.Start();
        await ServerFixture.Eventually(() => refused.Any(s => s.Contains("MAC does not match any operator secret")), "the forged level refused");
        await forged.DisposeAsync();
    }

    [Fact]
    public async Task Nothing_is_served_before_authentication()
    {
        await using var fx = new ServerFixture(new RosbridgeServerOptions { Credentials = Credentials() });
        var refused = new ConcurrentQueue<string>();
        fx.Server.StatusSent += (_, text) => refused.Enqueue(text);
        var anonymous = new RosbridgeClient(new RosbridgeClientOptions(fx.Server.Uri) { ReconnectDelayMin = TimeSpan.FromSeconds(5) });
        anonymous.Start();
        Assert.True(await anonymous.WaitConnectedAsync(ServerFixture.Wait));
        anonymous.Subscribe<BoolMsg>("/state");
        await ServerFixture.Eventually(() => refused.Any(s => s.Contains("authentication required")), "the unauthenticated subscribe refused");
        await anonymous.DisposeAsync();
    }

    [Fact]
    public async Task A_runstop_another_client_engaged_is_not_released_by_an_unauthorised_client()
    {
        await using var served = new ServedTwin();
        var options = new RosbridgeClientOptions(served.Server.Uri);
        await using var engager = new RosbridgeClient(options);
        await using var intruder = new RosbridgeClient(options);
        engager.Start();
        intruder.Start();
        Assert.True(await engager.WaitConnectedAsync(ServerFixture.Wait));
        Assert.True(await intruder.WaitConnectedAsync(ServerFixture.Wait));
        var intruderStatuses = Statuses(intruder);
        bool? state = null;
        using var stateSub = engager.Subscribe<BoolMsg>(FetchTopics.SoftwareRunstopEnabled, onMessage: m => state = m.Data);
        using var engage = engager.Advertise<BoolMsg>(FetchTopics.EnableSoftwareRunstop);
        using var release = intruder.Advertise<BoolMsg>(FetchTopics.EnableSoftwareRunstop);
        await ServerFixture.Eventually(() =>
        {
            engage.Publish(new BoolMsg { Data = true });
            return state == true;
        }, "runstop engaged", TimeSpan.FromSeconds(10));

        release.Publish(new BoolMsg { Data = false });
        await ServerFixture.Eventually(() => intruderStatuses.Any(s => s.Contains("releasing the runstop engaged by client")), "the release refused");
        await Task.Delay(300);
        Assert.True(state, "the runstop must stay engaged");

        engage.Publish(new BoolMsg { Data = false });
        await ServerFixture.Eventually(() => state == false, "its engager releases it", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Roslibjs_authenticate_is_accepted_and_a_wrong_mac_is_refused()
    {
        await using var fx = new ServerFixture(new RosbridgeServerOptions { Credentials = Credentials() });
        var robot = fx.Server.AdvertiseLocal<BoolMsg>("/state");
        using var publishing = new CancellationTokenSource();
        var ticker = Task.Run(async () =>
        {
            while (!publishing.IsCancellationRequested)
            {
                robot.Publish(new BoolMsg { Data = true });
                await Task.Delay(20);
            }
        });
        const string rand = "0123456789abcdef";
        var good = await RoslibPeer.RunAsync("auth", new
        {
            url = fx.Server.Uri.ToString(), secret = ViewerSecret, client = "127.0.0.1", dest = "127.0.0.1", rand, level = "viewer",
            topic = "/state", type = "std_msgs/Bool", seconds = 1.5, timeoutSeconds = 20,
        }, TimeSpan.FromSeconds(30));
        Assert.True(good.GetProperty("count").GetInt32() > 10, $"roslibjs authenticated client saw {good}");

        var bad = await RoslibPeer.RunAsync("auth", new
        {
            url = fx.Server.Uri.ToString(), secret = OperatorSecret, client = "127.0.0.1", dest = "127.0.0.1", rand, level = "viewer",
            topic = "/state", type = "std_msgs/Bool", seconds = 1.5, timeoutSeconds = 20,
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(0, bad.GetProperty("count").GetInt32());
        Assert.True(bad.GetProperty("closed").GetBoolean(), $"the server must close a roslibjs client with a bad MAC: {bad}");
        await publishing.CancelAsync();
        await ticker;
    }
}
