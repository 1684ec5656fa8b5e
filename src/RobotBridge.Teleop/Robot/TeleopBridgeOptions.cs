using RobotBridge.Teleop.Brokers;

namespace RobotBridge.Teleop.Robot;

/// <summary>Settings of a <see cref="TeleopBridge"/>.</summary>
public sealed record TeleopBridgeOptions
{
    /// <summary>The broker to use (the robot's account: role <see cref="TeleopRole.Robot"/>).</summary>
    public required BrokerEndpoint Broker { get; init; }

    /// <summary>The robot's id in the topic tree (<c>robotbridge/&lt;RobotId&gt;/…</c>).</summary>
    public string RobotId { get; init; } = "fetch";

    /// <summary>Operators whose motion commands and heartbeats count. Resets are checked by the latch's
    /// own list (<see cref="RobotBridge.Safety.EStopLatchOptions.AuthorisedOperators"/>). Empty: nobody
    /// can move the robot over MQTT.</summary>
    public IReadOnlyCollection<string> AuthorisedOperators { get; init; } = [];

    /// <summary>Longest gap between operator heartbeats before the latch trips (default 250 ms). Also
    /// how long a dead-man "held" lasts after the last heartbeat that said so.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the bridge checks the watchdog, expires motion and considers telemetry.</summary>
    public TimeSpan TickPeriod { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Period of the joint-state and loop-timing telemetry; zero turns it off.</summary>
    public TimeSpan TelemetryPeriod { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Period at which the retained <c>state/estop</c> and <c>state/link</c> are published again
    /// (unchanged); zero turns it off. Bounds how long an operator can see an outdated e-stop state when a
    /// broker lost a retained update for it.</summary>
    public TimeSpan RetainedRefreshPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Delay between reconnection attempts after the broker went away.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Window of the message-age estimator (see <see cref="MessageAgeEstimator"/>).</summary>
    public TimeSpan AgeWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Call <see cref="RobotBridge.Robots.IRobot.Stop"/> on every trip of the latch. On by default so
    /// the bridge is safe on its own; the safety supervisor does the same, and Stop is idempotent.</summary>
    public bool StopRobotOnTrip { get; init; } = true;

    /// <summary>Loop timing to publish on <c>telemetry/loop</c> (the control loop's figures); null publishes
    /// the bridge's own tick timing.</summary>
    public Func<Protocol.LoopTimingMessage?>? LoopTiming { get; init; }

    /// <summary>Period of the JPEG camera stream on <c>telemetry/camera</c>; zero turns it off. Default 2 Hz:
    /// enough to see what the robot sees, cheap on the link.</summary>
    public TimeSpan CameraPeriod { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>JPEG quality (1–100).</summary>
    public int CameraJpegQuality { get; init; } = 70;

    /// <summary>Let the bridge take head-camera frames from the robot itself. Only when nothing else
    /// consumes them (<see cref="RobotBridge.Robots.IRobot.TryGetCameraFrame"/> hands each frame out
    /// once); otherwise the frame owner calls <see cref="TeleopBridge.OfferCameraFrame"/>.</summary>
    public bool PullCameraFrames { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The mailbox of the control loop that drives the robot: admitted motion commands are posted
    /// there and reach the robot on the loop's thread at its rate, and the bridge's stops clear it. Null
    /// sends them straight to the robot (a bridge with no loop under it).</summary>
    public RobotBridge.Control.RobotCommandMailbox? Commands { get; init; }

    /// <summary>MQTT client id; defaults to <c>robotbridge-&lt;RobotId&gt;</c>.</summary>
    public string? ClientId { get; init; }
}
