using System.Collections.Concurrent;
using RobotBridge.Teleop.Operator;

namespace RobotBridge.Teleop.Tests.Teleop;

public sealed class OperatorConsoleTests
{
    /// <summary>Key presses typed by the test, as a terminal would deliver them.</summary>
    private sealed class ScriptedKeys : IKeySource
    {
        private readonly ConcurrentQueue<ConsoleKeyInfo> _pending = new();

        public void Press(ConsoleKey key, char c = '\0') => _pending.Enqueue(new ConsoleKeyInfo(c, key, false, false, false));

        /// <summary>Holds <paramref name="key"/> the way a terminal reports it: repeated presses.</summary>
        public async Task HoldAsync(ConsoleKey key, TimeSpan duration)
        {
            var end = DateTime.UtcNow + duration;
            while (DateTime.UtcNow < end)
            {
                Press(key);
                await Task.Delay(30);
            }
        }

        public bool TryReadKey(out ConsoleKeyInfo key) => _pending.TryDequeue(out key);
    }

    [Fact]
    public async Task The_console_resets_drives_with_the_deadman_and_space_trips()
    {
        await using var broker = await EmbeddedTestBroker.StartAsync();
        await using var rig = await TeleopRig.StartAsync(broker);
        var alice = await rig.ConnectAsync(TestUsers.Alice);
        var keys = new ScriptedKeys();
        var screen = new StringWriter();
        var console = new OperatorConsole(alice, keys, TextWriter.Synchronized(screen), new OperatorConsoleOptions { Ansi = false });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = console.RunAsync(stop.Token);

        await keys.HoldAsync(ConsoleKey.Tab, TimeSpan.FromMilliseconds(400));
        await Eventually.True(() => rig.Bridge.Watchdog.IsHealthy, "console heartbeats keep the watchdog healthy");
        for (int i = 0; i < 40 && rig.Latch.IsStopped; i++)
        {
            keys.Press(ConsoleKey.R, 'r');
            await keys.HoldAsync(ConsoleKey.Tab, TimeSpan.FromMilliseconds(100));
        }
        Assert.False(rig.Latch.IsStopped, $"R resets the latch: {rig.Latch.Snapshot}");

        await keys.HoldAsync(ConsoleKey.W, TimeSpan.FromMilliseconds(300));
        Assert.Contains(rig.Robot.Calls, c => c.Kind == "twist" && c.Detail.Contains("Vx = 0.05"));

        keys.Press(ConsoleKey.Spacebar, ' ');
        await Eventually.True(() => rig.Latch.IsStopped, "space trips the e-stop");
        await Eventually.True(() => screen.ToString().Contains("STOPPED"), "the screen shows the stop");

        keys.Press(ConsoleKey.Escape);
        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(console.DeadmanHeld);
    }

    [Fact]
    public async Task The_console_connects_again_when_the_next_deploy_brings_its_broker_back()
    {
        // Two deploys in a row: each runs the embedded broker, so the console's broker goes away with the
        // first and comes back on the same port with the second. The operator must not have to restart it.
        await using var broker = await EmbeddedTestBroker.StartAsync();
        await using var alice = new TeleopOperator(broker.EndpointFor(TestUsers.Alice), "fetch", TestUsers.Alice);
        await alice.ConnectAsync();
        var keys = new ScriptedKeys();
        var screen = new StringWriter();
        var console = new OperatorConsole(alice, keys, TextWriter.Synchronized(screen),
            new OperatorConsoleOptions { Ansi = false, ReconnectPeriod = TimeSpan.FromMilliseconds(200) });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = console.RunAsync(stop.Token);
        await using (await TeleopRig.StartAsync(broker))
        {
            await keys.HoldAsync(ConsoleKey.Tab, TimeSpan.FromMilliseconds(300));
        }
        await broker.StopAsync();
        await Eventually.True(() => !alice.IsConnected, "the console sees its broker go");
        await Eventually.True(() => screen.ToString().Contains("broker unreachable"), "and says it will try again");

        await broker.StartAgainAsync();
        await using var second = await TeleopRig.StartAsync(broker);
        await Eventually.True(() => alice.IsConnected, "the console connects to the next broker by itself");
        for (int i = 0; i < 40 && second.Latch.IsStopped; i++)
        {
            keys.Press(ConsoleKey.R, 'r');
            await keys.HoldAsync(ConsoleKey.Tab, TimeSpan.FromMilliseconds(100));
        }
        Assert.False(second.Latch.IsStopped, $"R from the same console resets the second robot: {second.Latch.Snapshot}");
        keys.Press(ConsoleKey.Escape);
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
