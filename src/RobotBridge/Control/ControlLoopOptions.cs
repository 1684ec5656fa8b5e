namespace RobotBridge.Control;

/// <summary>What the loop does when a cycle misses its deadline (its work took longer than a period).</summary>
public enum DeadlineMissPolicy
{
    /// <summary>Drop the missed ticks and continue on the fixed grid; trip the e-stop after
    /// <see cref="ControlLoopOptions.MissesBeforeStop"/> consecutive misses.</summary>
    Skip,
    /// <summary>Like <see cref="Skip"/>, and also tell the robot to hold position after each miss,
    /// so a late command is never left running. Trips after the same number of misses.</summary>
    Hold,
    /// <summary>Trip the e-stop after <see cref="ControlLoopOptions.MissesBeforeStop"/> consecutive
    /// misses; no action before that (the default).</summary>
    StopAfterN,
}

/// <summary>Where camera frames come from in the loop.</summary>
public enum CameraIngestMode
{
    /// <summary>No camera (fastest lockstep training).</summary>
    Off,
    /// <summary>The loop asks the robot for the latest frame in its observe stage (lockstep, deterministic).</summary>
    Inline,
    /// <summary>A dedicated thread polls the robot and posts frames to a latest-value mailbox; the loop
    /// never waits for a frame (wall-clock deployment).</summary>
    Thread,
}

/// <summary>Settings of a <see cref="ControlLoop"/>.</summary>
public sealed record ControlLoopOptions
{
    /// <summary>Cycles per second: 25 Hz for the Gym tasks, up to 500 Hz for streaming control.</summary>
    public double RateHz { get; init; } = 25;

    public DeadlineMissPolicy MissPolicy { get; init; } = DeadlineMissPolicy.StopAfterN;

    /// <summary>Consecutive deadline misses that trip the e-stop (safety config <c>overruns_before_stop</c>).</summary>
    public int MissesBeforeStop { get; init; } = 5;

    public CameraIngestMode Camera { get; init; } = CameraIngestMode.Off;

    /// <summary>How often the camera thread polls the robot for a new frame.</summary>
    public TimeSpan CameraPollInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Samples kept per timing metric.</summary>
    public int TimingCapacity { get; init; } = 1 << 16;

    /// <summary>Where faults (exceptions in a policy, codec or callback) are reported besides the
    /// safety log; null = nowhere else.</summary>
    public TextWriter? FaultLog { get; init; }

    /// <summary>SCHED_FIFO priority (1–99) for the loop thread started by <see cref="ControlLoop.Start"/>;
    /// 0 keeps normal scheduling. Whether it took effect: <see cref="ControlLoop.SchedulingNote"/>.</summary>
    public int RealtimePriority { get; init; }

    public TimeSpan Period => TimeSpan.FromSeconds(1 / RateHz);

    public void Validate()
    {
        if (!(RateHz > 0) || RateHz > 500 || !double.IsFinite(RateHz))
        {
            throw new ArgumentOutOfRangeException(nameof(RateHz), RateHz, "control rate must be in (0, 500] Hz");
        }
        if (MissesBeforeStop < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MissesBeforeStop), MissesBeforeStop, "must be at least 1");
        }
        if (RealtimePriority is < 0 or > 99)
        {
            throw new ArgumentOutOfRangeException(nameof(RealtimePriority), RealtimePriority, "must be 0 (off) or 1..99");
        }
        if (CameraPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CameraPollInterval), CameraPollInterval, "must be positive");
        }
    }
}
