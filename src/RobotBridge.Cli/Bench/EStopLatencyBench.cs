using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RobotBridge.Control;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Operator;
using RobotBridge.Teleop.Robot;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// E-stop latency over MQTT: from the moment an operator client starts publishing a trip to the moment
/// <see cref="IRobot.Stop"/> is called on the body (the MuJoCo twin in real time, under the Fetch's
/// safety supervisor). The full path: operator client → broker → robot bridge → latch → supervisor →
/// robot interface. An operator heartbeat runs at 20 Hz throughout, as it would in a session.
/// </summary>
internal static class EStopLatencyBench
{
    private static readonly TeleopAccessPolicy Access = new(
    [
        new TeleopUser("robot", "bench-robot", TeleopRole.Robot),
        new TeleopUser("operator", "bench-operator", TeleopRole.Operator),
    ]);

    public static async Task<TimingSummary> RunAsync(string broker, int trips, TextWriter log)
    {
        int port = FreePort();
        string? scratch = null;
        IAsyncDisposable server;
        if (broker == "embedded")
        {
            server = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions { Access = Access, Port = port });
        }
        else
        {
            scratch = Directory.CreateTempSubdirectory("robotbridge-bench-mosquitto-").FullName;
            server = await MosquittoBroker.StartAsync(new MosquittoOptions { Access = Access, Port = port }, scratch);
        }
        var endpoint = new BrokerEndpoint { Port = port };
        var latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = ["operator"] });
        var probe = new StopProbe(new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime }));
        var supervisor = ModelSafety.SuperviseFetch(probe, latch);
        var bridge = new TeleopBridge(supervisor, new TeleopBridgeOptions
        {
            Broker = endpoint with { UserName = "robot", Password = "bench-robot" },
            AuthorisedOperators = ["operator"],
        });
        var op = new TeleopOperator(endpoint with { UserName = "operator", Password = "bench-operator" }, "fetch", "operator");
        using var heartbeatStop = new CancellationTokenSource();
        Task heartbeat = Task.CompletedTask;
        try
        {
            bridge.Start();
            await bridge.WaitUntilConnectedAsync(TimeSpan.FromSeconds(10));
            await op.ConnectAsync();
            heartbeat = HeartbeatAsync(op, heartbeatStop.Token);
            // The first trips JIT the path; they are run and not counted.
            const int warmup = 20;
            var latencies = new double[trips];
            for (int i = -warmup; i < trips; i++)
            {
                await ReadyAsync(latch, op);
                var stopped = probe.Arm();
                long start = Stopwatch.GetTimestamp();
                await op.TripAsync($"bench trip {i}");
                long stopTicks = await stopped.WaitAsync(TimeSpan.FromSeconds(5));
                if (i >= 0)
                {
                    latencies[i] = Stopwatch.GetElapsedTime(start, stopTicks).TotalMilliseconds;
                }
            }
            log.WriteLine($"{broker}: {trips} trips, bridge {bridge.Stats}");
            return TimingSeries.Summarize(latencies, latencies.Length);
        }
        finally
        {
            heartbeatStop.Cancel();
            await heartbeat;
            await op.DisposeAsync();
            await bridge.DisposeAsync();
            supervisor.Dispose();
            await server.DisposeAsync();
            if (scratch is not null)
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>Waits until the latch runs again (resets it as the operator would, over MQTT). Shared with
    /// the web console's bench.</summary>
    internal static async Task ReadyAsync(EStopLatch latch, TeleopOperator op)
    {
        var deadline = Stopwatch.StartNew();
        while (latch.IsStopped)
        {
            if (latch.Snapshot.ActiveSources.Count == 0)
            {
                await op.ResetAsync();
            }
            await Task.Delay(2);
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"latch did not reset: {latch.Snapshot}");
            }
        }
    }

    internal static async Task HeartbeatAsync(TeleopOperator op, CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                await op.SendHeartbeatAsync(deadman: false, token);
            }
            while (await timer.WaitForNextTickAsync(token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Forwards to the body and timestamps the first <see cref="Stop"/> after <see cref="Arm"/>.</summary>
    internal sealed class StopProbe(IRobot inner) : IRobot
    {
        private volatile TaskCompletionSource<long>? _waiting;

        public Task<long> Arm()
        {
            var waiting = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting = waiting;
            return waiting.Task;
        }

        public void Stop(string reason)
        {
            long now = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref _waiting, null)?.TrySetResult(now);
            inner.Stop(reason);
        }

        public IRobotClock Clock => inner.Clock;
        public LinkStatus Link => inner.Link;
        public void ReadState(RobotState state) => inner.ReadState(state);
        public CameraFrame? TryGetCameraFrame() => inner.TryGetCameraFrame();
        public void SendTrajectory(JointTrajectory trajectory) => inner.SendTrajectory(trajectory);
        public void SendCartesianTwist(in Twist twist) => inner.SendCartesianTwist(twist);
        public void SendGripper(double separation, double maxEffort) => inner.SendGripper(separation, maxEffort);
        public void SendBaseTwist(in Twist twist) => inner.SendBaseTwist(twist);
        public void SetRunstop(bool engaged) => inner.SetRunstop(engaged);
        public void Dispose() => inner.Dispose();
    }
}
