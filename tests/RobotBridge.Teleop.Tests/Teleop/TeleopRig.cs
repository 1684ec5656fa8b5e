using System.Diagnostics;
using RobotBridge.Control;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;
using RobotBridge.Teleop.Operator;
using RobotBridge.Teleop.Robot;

namespace RobotBridge.Teleop.Tests.Teleop;

/// <summary>A robot end (latch, bridge, probe robot, and the 100 Hz control loop that sends the bridge's
/// commands from its mailbox, as <c>robotbridge teleop serve</c> runs them) connected to a test broker,
/// plus helpers to bring operators in.</summary>
internal sealed class TeleopRig : IAsyncDisposable
{
    private readonly List<TeleopOperator> _operators = [];
    private readonly List<HeartbeatPump> _pumps = [];

    private TeleopRig(ITestBroker broker, FetchTwin twin, CommandProbe robot, SafetySupervisor supervisor, EStopLatch latch, TeleopBridge bridge,
        ControlLoop loop, RobotCommandMailbox commands)
    {
        Loop = loop;
        Commands = commands;
        Broker = broker;
        Twin = twin;
        Robot = robot;
        Supervisor = supervisor;
        Latch = latch;
        Bridge = bridge;
    }

    public ITestBroker Broker { get; }
    public FetchTwin Twin { get; }

    /// <summary>What reached the twin, below the safety supervisor.</summary>
    public CommandProbe Robot { get; }
    public SafetySupervisor Supervisor { get; }
    public EStopLatch Latch { get; }
    public TeleopBridge Bridge { get; }

    /// <summary>The control loop in front of the supervisor: it runs the checks and sends what the bridge posted.</summary>
    public ControlLoop Loop { get; }

    public RobotCommandMailbox Commands { get; }

    public static async Task<TeleopRig> StartAsync(ITestBroker broker, TimeSpan? heartbeatTimeout = null,
        HeadCameraOptions? camera = null, Func<TeleopBridgeOptions, TeleopBridgeOptions>? configure = null)
    {
        // The MuJoCo twin in real time (teleop is a human on a wall clock), under the Fetch's safety
        // supervisor; the probe between them records what the twin was told.
        var twin = new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime, Camera = camera ?? HeadCameraOptions.Off });
        var robot = new CommandProbe(twin);
        var latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = [TestUsers.Alice] });
        var supervisor = ModelSafety.SuperviseFetch(robot, latch);
        var commands = new RobotCommandMailbox();
        var loop = new ControlLoop(supervisor, commands, new ControlLoopOptions { RateHz = 100 });
        loop.Start();
        var options = new TeleopBridgeOptions
        {
            Commands = commands,
            Broker = broker.EndpointFor(TestUsers.Robot),
            RobotId = "fetch",
            AuthorisedOperators = [TestUsers.Alice],
            // Tests that are not about the heartbeat bound use a lenient one: on a shared 2-core machine a
            // thread-pool stall can delay a heartbeat past 250 ms, which would trip and mask the behaviour under test.
            HeartbeatTimeout = heartbeatTimeout ?? TimeSpan.FromSeconds(1),
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
        };
        var bridge = new TeleopBridge(supervisor, configure?.Invoke(options) ?? options);
        bridge.Start();
        await bridge.WaitUntilConnectedAsync(TimeSpan.FromSeconds(5));
        return new TeleopRig(broker, twin, robot, supervisor, latch, bridge, loop, commands);
    }

    public async Task<TeleopOperator> ConnectAsync(string user)
    {
        var op = new TeleopOperator(Broker.EndpointFor(user), "fetch", user);
        await op.ConnectAsync();
        _operators.Add(op);
        return op;
    }

    public HeartbeatPump Pump(TeleopOperator op, bool deadman = true)
    {
        var pump = new HeartbeatPump(op, deadman);
        _pumps.Add(pump);
        return pump;
    }

    /// <summary>Connects alice, keeps her heartbeat going with the dead-man held, and resets the latch.</summary>
    public async Task<(TeleopOperator Alice, HeartbeatPump Pump)> ArmAsync()
    {
        var alice = await ConnectAsync(TestUsers.Alice);
        var pump = Pump(alice);
        await Eventually.True(() => Bridge.Watchdog.IsHealthy && Latch.Snapshot.ActiveSources.Count == 0,
            "heartbeats reach the robot and every stop source clears");
        for (int attempt = 0; Latch.IsStopped && attempt < 50; attempt++)
        {
            await alice.ResetAsync();
            await Task.Delay(50);
        }
        Assert.False(Latch.IsStopped, $"latch did not reset: {Latch.Snapshot}");
        return (alice, pump);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pump in _pumps)
        {
            await pump.StopAsync();
        }
        foreach (var op in _operators)
        {
            await op.DisposeAsync();
        }
        await Bridge.DisposeAsync();
        Loop.Dispose();
        Supervisor.Dispose();
    }
}

/// <summary>Sends an operator's heartbeat every 50 ms (the console's rate) until stopped.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "StopAsync, which every test awaits, ends the loop and disposes the token source")]
internal sealed class HeartbeatPump
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _lastSentTicks;
    private int _stopped;

    public HeartbeatPump(TeleopOperator op, bool deadman)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await op.SendHeartbeatAsync(deadman, _stop.Token);
                    Volatile.Write(ref _lastSentTicks, Stopwatch.GetTimestamp());
                }
                catch (Exception)
                {
                    // Broker gone in an outage test: keep trying. A send already in flight when the pump
                    // is stopped can fail with the broker's broken pipe rather than a cancellation; that
                    // is the end of the pump, not a test failure.
                    if (_stop.IsCancellationRequested)
                    {
                        break;
                    }
                }
                try
                {
                    await timer.WaitForNextTickAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    /// <summary>Stops the heartbeat; returns the Stopwatch timestamp of the last one sent.</summary>
    public async Task<long> StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return Volatile.Read(ref _lastSentTicks); // stopped by the test already; the rig stops every pump again
        }
        _stop.Cancel();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose(); // the loop has ended: nothing reads the token any more
        return Volatile.Read(ref _lastSentTicks);
    }
}
