using System.Diagnostics;
using RobotBridge.Robots;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Operator;
using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Web.Tests;

/// <summary>
/// The test's view of the served robot, over MQTT/TCP like any other client: the e-stop state the
/// bridge publishes and the twin's joints from its telemetry. An observer account, so it can change nothing.
/// </summary>
internal sealed class RobotWatch : IAsyncDisposable
{
    private static readonly string[] ArmJoints =
    [
        FetchJoints.ShoulderPan, FetchJoints.ShoulderLift, FetchJoints.UpperarmRoll, FetchJoints.ElbowFlex,
        FetchJoints.ForearmRoll, FetchJoints.WristFlex, FetchJoints.WristRoll,
    ];

    private RobotWatch(TeleopOperator client) => Client = client;

    public TeleopOperator Client { get; }

    public static async Task<RobotWatch> ConnectAsync(int brokerPort, string user = Accounts.Watcher, string password = Accounts.WatcherPassword)
    {
        var client = new TeleopOperator(new BrokerEndpoint { Port = brokerPort, UserName = user, Password = password }, "fetch", user);
        await client.ConnectAsync();
        var watch = new RobotWatch(client);
        await watch.UntilAsync(() => client.Link is { Online: true } && client.Joints is not null && client.EStopState is not null,
            "the bridge online with joint telemetry", 60);
        return watch;
    }

    public EStopStateMessage EStop => Client.EStopState!;

    /// <summary>Arm joint positions from the latest telemetry.</summary>
    public double[] Arm()
    {
        var joints = Client.Joints!;
        return ArmJoints.Select(name => joints.Position[joints.Names.ToList().IndexOf(name)]).ToArray();
    }

    /// <summary>Largest arm joint speed in the latest telemetry (rad/s).</summary>
    public double ArmSpeed()
    {
        var joints = Client.Joints!;
        return ArmJoints.Max(name => Math.Abs(joints.Velocity[joints.Names.ToList().IndexOf(name)]));
    }

    public static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());

    public async Task UntilAsync(Func<bool> condition, string what, double seconds = 15, Func<string>? describe = null)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                throw new Xunit.Sdk.XunitException($"timed out after {seconds} s waiting for {what}; e-stop {Client.EStopState}; {describe?.Invoke()}");
            }
            await Task.Delay(10);
        }
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}

/// <summary>A scripted operator over MQTT/TCP: heartbeats at the console's 20 Hz (dead-man not held)
/// and a reset on request, so the latch can run while an observer's page is under test.</summary>
internal sealed class ScriptedOperator : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _beat;

    private ScriptedOperator(TeleopOperator client)
    {
        Client = client;
        _beat = Task.Run(BeatAsync);
    }

    public TeleopOperator Client { get; }

    public static async Task<ScriptedOperator> ConnectAsync(int brokerPort)
    {
        var client = new TeleopOperator(new BrokerEndpoint { Port = brokerPort, UserName = Accounts.Helper, Password = Accounts.HelperPassword }, "fetch", Accounts.Helper);
        await client.ConnectAsync();
        return new ScriptedOperator(client);
    }

    private async Task BeatAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                await Client.SendHeartbeatAsync(deadman: false, _stop.Token);
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _beat;
        await Client.DisposeAsync();
        _stop.Dispose();
    }
}
