using System.Globalization;
using System.Text;
using RobotBridge.Robots;

namespace RobotBridge.Teleop.Operator;

/// <summary>Settings of the <see cref="OperatorConsole"/>.</summary>
public sealed record OperatorConsoleOptions
{
    /// <summary>Gripper linear speed while a move key is held (m/s).</summary>
    public double LinearSpeed { get; init; } = 0.05;
    /// <summary>Base forward speed (m/s) and turn rate (rad/s).</summary>
    public double BaseSpeed { get; init; } = 0.2;
    public double BaseTurnRate { get; init; } = 0.5;
    /// <summary>Head step per press of an arrow key (rad).</summary>
    public double HeadStep { get; init; } = 0.05;
    /// <summary>Period of heartbeats, motion commands and redraws.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>Life of each motion command (see <see cref="Protocol.IMotionCommand.TtlMs"/>).</summary>
    public int TtlMs { get; init; } = 200;
    /// <summary>How long a first key press counts as held (the terminal's auto-repeat delay).</summary>
    public TimeSpan FirstHoldWindow { get; init; } = TimeSpan.FromMilliseconds(700);
    /// <summary>How long an auto-repeated key press counts as held.</summary>
    public TimeSpan RepeatHoldWindow { get; init; } = TimeSpan.FromMilliseconds(150);
    /// <summary>Redraw with ANSI cursor control (a terminal) or append plain frames (logs, tests).</summary>
    public bool Ansi { get; init; } = true;
    /// <summary>How often the console tries to connect again after it lost the broker: `robotbridge
    /// deploy` runs the embedded broker, so it goes away with each deploy and comes back with the next.</summary>
    public TimeSpan ReconnectPeriod { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Bound on one connection attempt, so keys (Esc) stay live while a broker does not answer.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The terminal operator console: keys drive the robot over MQTT through a <see cref="TeleopOperator"/>,
/// and the screen shows the robot's e-stop state, link, loop timing and joints live.
/// </summary>
/// <remarks>
/// Keys (a terminal reports presses only, see <see cref="HeldKeys"/>):
/// <list type="bullet">
/// <item>Tab held: dead-man. Every motion key also counts as the dead-man while held, because a
/// terminal repeats only the last key pressed (hold-to-run).</item>
/// <item>W/S, A/D, Q/E: gripper forward/back, left/right, up/down. I/K, J/L: base forward/back, turn.</item>
/// <item>Arrow keys: head pan/tilt. O/C: open/close the gripper.</item>
/// <item>Space: trip the e-stop. R: reset it. Esc: release the dead-man and quit.</item>
/// </list>
/// </remarks>
public sealed class OperatorConsole
{
    private static readonly ConsoleKey[] DeadmanKeys =
    [
        ConsoleKey.Tab, ConsoleKey.W, ConsoleKey.S, ConsoleKey.A, ConsoleKey.D, ConsoleKey.Q, ConsoleKey.E,
        ConsoleKey.I, ConsoleKey.K, ConsoleKey.J, ConsoleKey.L,
        ConsoleKey.LeftArrow, ConsoleKey.RightArrow, ConsoleKey.UpArrow, ConsoleKey.DownArrow,
    ];

    private readonly TeleopOperator _operator;
    private readonly IKeySource _keys;
    private readonly TextWriter _screen;
    private readonly OperatorConsoleOptions _options;
    private readonly HeldKeys _held;
    private string _lastAction = "-";
    private string _lastError = "";
    private long _nextConnectAttemptMs;
    private double? _headPan;
    private double _headTilt;
    private long _frames;

    public OperatorConsole(TeleopOperator op, IKeySource keys, TextWriter screen, OperatorConsoleOptions? options = null)
    {
        _operator = op ?? throw new ArgumentNullException(nameof(op));
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _screen = screen ?? throw new ArgumentNullException(nameof(screen));
        _options = options ?? new OperatorConsoleOptions();
        _held = new HeldKeys(_options.FirstHoldWindow, _options.RepeatHoldWindow);
    }

    /// <summary>True while the console says the dead-man is held.</summary>
    public bool DeadmanHeld { get; private set; }

    /// <summary>Runs until Esc or cancellation; on the way out it releases the dead-man.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Period);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                long now = TeleopOperator.NowMs;
                if (!await HandleKeysAsync(now, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
                if (await KeepConnectedAsync(now, cancellationToken).ConfigureAwait(false))
                {
                    await SendAsync(now, cancellationToken).ConfigureAwait(false);
                }
                Draw(now);
                await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        DeadmanHeld = false;
        if (_operator.IsConnected)
        {
            await Try(() => _operator.SendHeartbeatAsync(deadman: false, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    /// <summary>Applies pending key presses; false when the operator quits.</summary>
    private async Task<bool> HandleKeysAsync(long now, CancellationToken token)
    {
        while (_keys.TryReadKey(out var key))
        {
            bool fresh = _held.Press(key.Key, now);
            switch (key.Key)
            {
                case ConsoleKey.Escape:
                    return false;
                case ConsoleKey.Spacebar:
                    _lastAction = "TRIP sent";
                    await Try(() => _operator.TripAsync("space bar on the operator console", token)).ConfigureAwait(false);
                    break;
                case ConsoleKey.R when fresh:
                    _lastAction = "reset requested";
                    await Try(() => _operator.ResetAsync(token)).ConfigureAwait(false);
                    break;
                case ConsoleKey.O when fresh:
                    _lastAction = "gripper open";
                    await Try(() => _operator.SendGripperAsync(0.1, ttlMs: _options.TtlMs, cancellationToken: token)).ConfigureAwait(false);
                    break;
                case ConsoleKey.C when fresh:
                    _lastAction = "gripper close";
                    await Try(() => _operator.SendGripperAsync(0.0, ttlMs: _options.TtlMs, cancellationToken: token)).ConfigureAwait(false);
                    break;
                case ConsoleKey.LeftArrow or ConsoleKey.RightArrow or ConsoleKey.UpArrow or ConsoleKey.DownArrow:
                    await StepHeadAsync(key.Key, token).ConfigureAwait(false);
                    break;
            }
        }
        return true;
    }

    private async Task StepHeadAsync(ConsoleKey key, CancellationToken token)
    {
        if (_headPan is null)
        {
            // Start from where the head is, when the robot has told us.
            var joints = _operator.Joints;
            _headPan = joints is null ? 0 : joints.Position[FetchJoints.IndexOf(FetchJoints.HeadPan)];
            _headTilt = joints is null ? 0 : joints.Position[FetchJoints.IndexOf(FetchJoints.HeadTilt)];
        }
        double step = _options.HeadStep;
        _headPan += key == ConsoleKey.LeftArrow ? step : key == ConsoleKey.RightArrow ? -step : 0;
        _headTilt += key == ConsoleKey.DownArrow ? step : key == ConsoleKey.UpArrow ? -step : 0;
        _lastAction = string.Create(CultureInfo.InvariantCulture, $"head pan {_headPan:F2} tilt {_headTilt:F2}");
        await Try(() => _operator.SendHeadAsync(_headPan.Value, _headTilt, durationMs: 300, ttlMs: _options.TtlMs, cancellationToken: token)).ConfigureAwait(false);
    }

    /// <summary>True when connected; otherwise tries to connect again, once per <see cref="OperatorConsoleOptions.ReconnectPeriod"/>.
    /// Before this, a console whose broker went away (the first of two deploys in a row ended) stayed
    /// disconnected for good and printed MqttClientNotConnectedException until it was restarted.</summary>
    private async Task<bool> KeepConnectedAsync(long now, CancellationToken token)
    {
        if (_operator.IsConnected)
        {
            return true;
        }
        if (now < _nextConnectAttemptMs)
        {
            return false;
        }
        _nextConnectAttemptMs = now + (long)_options.ReconnectPeriod.TotalMilliseconds;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
        attempt.CancelAfter(_options.ConnectTimeout);
        try
        {
            await _operator.ConnectAsync(attempt.Token).ConfigureAwait(false);
            _lastError = "";
            _lastAction = "connected to the broker again";
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
        {
            _lastError = $"broker unreachable ({ex.Message}); trying again every {_options.ReconnectPeriod.TotalSeconds:0.#} s";
            return false;
        }
    }

    private async Task SendAsync(long now, CancellationToken token)
    {
        DeadmanHeld = _held.AnyHeld(DeadmanKeys, now);
        await Try(() => _operator.SendHeartbeatAsync(DeadmanHeld, token)).ConfigureAwait(false);
        int x = _held.Axis(ConsoleKey.W, ConsoleKey.S, now), y = _held.Axis(ConsoleKey.A, ConsoleKey.D, now), z = _held.Axis(ConsoleKey.Q, ConsoleKey.E, now);
        if (x != 0 || y != 0 || z != 0)
        {
            double v = _options.LinearSpeed;
            _lastAction = $"gripper twist ({x:+0;-0;0},{y:+0;-0;0},{z:+0;-0;0})";
            await Try(() => _operator.SendGripperTwistAsync(new Twist(x * v, y * v, z * v, 0, 0, 0), DeadmanHeld, _options.TtlMs, cancellationToken: token)).ConfigureAwait(false);
        }
        int forward = _held.Axis(ConsoleKey.I, ConsoleKey.K, now), turn = _held.Axis(ConsoleKey.J, ConsoleKey.L, now);
        if (forward != 0 || turn != 0)
        {
            _lastAction = $"base ({forward:+0;-0;0},{turn:+0;-0;0})";
            await Try(() => _operator.SendBaseTwistAsync(forward * _options.BaseSpeed, turn * _options.BaseTurnRate, DeadmanHeld, _options.TtlMs, token)).ConfigureAwait(false);
        }
    }

    private async Task Try(Func<Task> send)
    {
        try
        {
            await send().ConfigureAwait(false);
            _lastError = "";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The console keeps running without a broker; the robot stops on its own (link and heartbeat).
            _lastError = $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private void Draw(long now)
    {
        // Every frame at the terminal; every 20th (once a second) into a log.
        if (!_options.Ansi && _frames++ % 20 != 0)
        {
            return;
        }
        var text = new StringBuilder();
        var estop = _operator.EStopState;
        var link = _operator.Link;
        var loop = _operator.LoopTiming;
        var joints = _operator.Joints;
        text.AppendLine($"RobotBridge teleop — robot '{_operator.Topics.RobotId}' as operator '{_operator.OperatorId}'");
        text.AppendLine($"link      broker {(_operator.IsConnected ? "connected" : "DISCONNECTED")}   robot bridge {(link is null ? "unknown" : !_operator.IsConnected ? "unknown (broker lost)" : link.Online ? $"online (robot {link.Robot})" : "OFFLINE")}");
        text.AppendLine(estop is null
            ? "e-stop    unknown (no state from the robot yet)"
            : $"e-stop    {(_operator.IsConnected ? "" : "(last known, broker lost) ")}{(estop.Stopped ? "STOPPED" : "running")} [{estop.State}] trips {estop.TripCount}" +
              (estop.Stopped ? $"  cause: {estop.Cause} ({estop.Source})" : "") +
              (estop.ActiveSources.Length > 0 ? $"  active: {string.Join(", ", estop.ActiveSources)}" : ""));
        text.AppendLine($"dead-man  {(DeadmanHeld ? "HELD" : "released")}   last: {_lastAction}");
        text.AppendLine(loop is null
            ? "loop      no timing yet"
            : string.Create(CultureInfo.InvariantCulture,
                $"loop      period {loop.PeriodMs:F1} ms  last {loop.LastMs:F2}  p99 {loop.P99Ms:F2}  max {loop.MaxMs:F2}  overruns {loop.Overruns}  cycles {loop.Cycles}"));
        if (joints is not null)
        {
            double At(string joint) => joints.Position[FetchJoints.IndexOf(joint)];
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"joints    t={joints.StampS:F2}s torso {At(FetchJoints.TorsoLift):F3} m  head {At(FetchJoints.HeadPan):F2}/{At(FetchJoints.HeadTilt):F2} rad  gripper {At(FetchJoints.LGripperFinger) + At(FetchJoints.RGripperFinger):F3} m{(joints.Runstopped ? "  RUNSTOP" : "")}"));
        }
        if (_operator.Camera is { } camera)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"camera    {camera.Width}x{camera.Height} JPEG {camera.Jpeg.Length / 1024.0:F1} kB at t={camera.StampS:F2}s ({_operator.CameraFrames} frames)"));
        }
        if (_lastError.Length > 0)
        {
            text.AppendLine($"error     {_lastError}");
        }
        text.AppendLine("keys      hold Tab = dead-man | W/S A/D Q/E gripper | I/K J/L base | arrows head | O/C gripper | SPACE = E-STOP | R reset | Esc quit");
        if (_options.Ansi)
        {
            // Home the cursor and clear each line's rest instead of the whole screen: no flicker.
            _screen.Write("\u001b[H" + text.ToString().Replace("\n", "\u001b[K\n") + "\u001b[J");
        }
        else
        {
            _screen.Write(text.ToString());
        }
        _screen.Flush();
    }
}
