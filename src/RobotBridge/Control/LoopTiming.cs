namespace RobotBridge.Control;

/// <summary>
/// Immutable timing report of a control loop, ready for logs and the Gym <c>info["timing"]</c>.
/// All durations in milliseconds. Period and jitter are measured on the loop's clock (virtual time
/// on the twin); stage durations on the wall clock (what the CPU really spent).
/// </summary>
public sealed record LoopTimingSummary(
    double NominalPeriodMs,
    long Cycles,
    long Overruns,
    long Faults,
    TimingSummary Period,
    TimingSummary Jitter,
    TimingSummary Observe,
    TimingSummary Infer,
    TimingSummary Command,
    TimingSummary ObservationAge,
    TimingSummary CommandLatency)
{
    public IReadOnlyDictionary<string, object?> ToDictionary()
    {
        var d = new Dictionary<string, object?>
        {
            ["nominal_period_ms"] = NominalPeriodMs,
            ["cycles"] = Cycles,
            ["overruns"] = Overruns,
            ["faults"] = Faults,
        };
        void Add(string name, TimingSummary s)
        {
            d[$"{name}_p50_ms"] = s.P50;
            d[$"{name}_p99_ms"] = s.P99;
            d[$"{name}_max_ms"] = s.Max;
        }
        Add("period", Period);
        Add("jitter", Jitter);
        Add("observe", Observe);
        Add("infer", Infer);
        Add("command", Command);
        Add("observation_age", ObservationAge);
        Add("command_latency", CommandLatency);
        return d;
    }

    public override string ToString() =>
        $"{Cycles} cycles at {1000 / NominalPeriodMs:F0} Hz, {Overruns} overruns, {Faults} faults\n" +
        $"  period          {Period}\n  jitter          {Jitter}\n  observe         {Observe}\n" +
        $"  infer           {Infer}\n  command         {Command}\n  observation age {ObservationAge}\n" +
        $"  command latency {CommandLatency}";
}

/// <summary>The loop's timing books: one <see cref="TimingSeries"/> per metric plus counters.</summary>
public sealed class LoopTiming
{
    private long _cycles, _overruns, _faults;

    public LoopTiming(TimeSpan nominalPeriod, int capacity = 1 << 16)
        : this(nominalPeriod, new TimingSeries(capacity), new TimingSeries(capacity), capacity)
    {
    }

    /// <summary>Books of a loop paced by <paramref name="scheduler"/>: period and jitter are its series.</summary>
    public LoopTiming(FixedRateScheduler scheduler, int capacity = 1 << 16)
        : this(scheduler.Period, scheduler.Interval, scheduler.Jitter, capacity)
    {
    }

    private LoopTiming(TimeSpan nominalPeriod, TimingSeries period, TimingSeries jitter, int capacity)
    {
        NominalPeriod = nominalPeriod;
        Period = period;
        Jitter = jitter;
        Observe = new TimingSeries(capacity);
        Infer = new TimingSeries(capacity);
        Command = new TimingSeries(capacity);
        ObservationAge = new TimingSeries(capacity);
        CommandLatency = new TimingSeries(capacity);
    }

    public TimeSpan NominalPeriod { get; }

    /// <summary>Time between successive cycle starts.</summary>
    public TimingSeries Period { get; }
    /// <summary>|actual cycle start − scheduled start|.</summary>
    public TimingSeries Jitter { get; }
    public TimingSeries Observe { get; }
    public TimingSeries Infer { get; }
    public TimingSeries Command { get; }
    /// <summary>Cycle start − time the joint state was received.</summary>
    public TimingSeries ObservationAge { get; }
    /// <summary>Command sent − time the joint state it was computed from was received.</summary>
    public TimingSeries CommandLatency { get; }

    public long Cycles => Interlocked.Read(ref _cycles);
    public long Overruns => Interlocked.Read(ref _overruns);
    public long Faults => Interlocked.Read(ref _faults);

    internal void CountCycle() => Interlocked.Increment(ref _cycles);
    internal void CountOverrun() => Interlocked.Increment(ref _overruns);
    internal void CountFault() => Interlocked.Increment(ref _faults);

    public LoopTimingSummary Summarize() => new(
        NominalPeriod.TotalMilliseconds, Cycles, Overruns, Faults,
        Period.Summarize(), Jitter.Summarize(), Observe.Summarize(), Infer.Summarize(), Command.Summarize(),
        ObservationAge.Summarize(), CommandLatency.Summarize());
}
