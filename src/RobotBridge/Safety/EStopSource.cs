namespace RobotBridge.Safety;

/// <summary>What kind of thing asked for an e-stop. Used for logging and for deciding who may trip;
/// every kind trips the same latch.</summary>
public enum EStopSourceKind
{
    /// <summary>Code in this process (an API call, a CLI command, a test).</summary>
    Software,
    /// <summary>A remote operator over the teleop channel (MQTT).</summary>
    Teleop,
    /// <summary>A physical button (GPIO).</summary>
    Button,
    /// <summary>A watchdog that noticed something missing (heartbeat, dead-man, stale data).</summary>
    Watchdog,
    /// <summary>The safety supervisor (limits, workspace, bad commands, link loss, overruns).</summary>
    Supervisor,
}

/// <summary>
/// One named input of the e-stop latch, e.g. <c>new EStopSource("gpio:17", EStopSourceKind.Button)</c>.
/// The name identifies the source: a source that tripped must clear itself under the same name
/// before the latch can be reset.
/// </summary>
public readonly record struct EStopSource(string Name, EStopSourceKind Kind)
{
    public override string ToString() => $"{Kind}:{Name}";

    public static EStopSource Software(string name) => new(name, EStopSourceKind.Software);
    public static EStopSource Teleop(string name) => new(name, EStopSourceKind.Teleop);
    public static EStopSource Button(string name) => new(name, EStopSourceKind.Button);
    public static EStopSource Watchdog(string name) => new(name, EStopSourceKind.Watchdog);
    public static EStopSource Supervisor(string name) => new(name, EStopSourceKind.Supervisor);
}
