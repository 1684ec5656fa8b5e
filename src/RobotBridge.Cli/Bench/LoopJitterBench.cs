using System.Diagnostics;
using System.Globalization;
using RobotBridge.Control;
using RobotBridge.Robots;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// Pacing of the RobotBridge control loop on the wall clock: a <see cref="ControlLoop"/> on its
/// dedicated thread with an empty cycle (no robot I/O), so the figures are the loop's own pacing,
/// comparable with an empty rospy.Rate loop.
/// </summary>
internal static class LoopJitterBench
{
    public static (double[] Wakes, string Scheduling, LoopRunDiagnostics? Diagnostics, IReadOnlyList<string> LateWakes) Run(double rateHz,
        double seconds, int realtimePriority, TimeSpan? spinThreshold = null)
    {
        int count = (int)(rateHz * seconds);
        // FakeRobot does nothing but mirror commands, so only pacing is measured.
        using var robot = new FakeRobot(new WallClock(spinThreshold));
        // The first second is warm-up (JIT tiering, page faults) and is not recorded.
        using var recorder = new WakeRecorder(count, skip: (int)rateHz, TimeSpan.FromSeconds(1 / rateHz));
        using var loop = new ControlLoop(robot, recorder, new ControlLoopOptions
        {
            RateHz = rateHz,
            MissPolicy = DeadlineMissPolicy.Skip,
            MissesBeforeStop = int.MaxValue,
            TimingCapacity = count + 1,
            RealtimePriority = realtimePriority,
        });
        loop.Start();
        recorder.Done.Wait();
        loop.Stop();
        return (recorder.Wakes, loop.SchedulingNote, recorder.Diagnostics(), recorder.LateWakes());
    }

    /// <summary>Records each cycle's start time (loop clock, seconds) until the buffer is full, what the
    /// loop thread, the GC and the machine did between the first and the last recorded wake, and what
    /// explains each late wake (<see cref="LateWakeProbe"/>).</summary>
    private sealed class WakeRecorder(int count, int skip, TimeSpan period) : IControlCycle, IDisposable
    {
        private LateWakeProbe? _probe;
        private IReadOnlyList<string> _lateWakes = [];
        private int _next;
        private int _skipped;
        private UsageSample? _first, _last;
        public double[] Wakes { get; } = Touched(new double[count]);
        public ManualResetEventSlim Done { get; } = new();

        public void Infer(CycleObservation observation)
        {
            double time = observation.Time.TotalSeconds;
            if (_skipped < skip)
            {
                if (_skipped == 0)
                {
                    // In the warm-up, where a late wake is not counted: the first sample and the probe
                    // (opened on the loop thread: it reads that thread's own counters) JIT-compile here.
                    UsageSample.Take();
                    _probe = new LateWakeProbe(period);
                }
                _probe!.Observe(time);
                _skipped++;
                return;
            }
            if (_next < Wakes.Length)
            {
                if (_next == 0)
                {
                    // Allocates (not JIT-compiled any more); taken again so its counters do not include the
                    // warm-up's page faults.
                    _first = UsageSample.Take();
                    _probe!.Restart();
                }
                Wakes[_next++] = time;
                _probe!.Observe(time);
                if (_next == Wakes.Length)
                {
                    _last = UsageSample.Take();
                    _lateWakes = _probe.Report(Wakes[0]).ToArray();
                    Done.Set();
                }
            }
        }

        // Every page written before the run, so recording a wake is never a page fault.
        private static double[] Touched(double[] array)
        {
            array.AsSpan().Fill(-1);
            return array;
        }

        /// <summary>One line per late wake and a summary (empty when none was late).</summary>
        public IReadOnlyList<string> LateWakes() => _lateWakes;

        public void Dispose() => _probe?.Dispose();

        public LoopRunDiagnostics? Diagnostics() => _first is { } a && _last is { } b ? LoopRunDiagnostics.Between(a, b) : null;

        public void Command(IRobot robot)
        {
        }
    }
}

/// <summary>One reading of the calling thread's and the machine's counters (Linux /proc; zeros elsewhere).</summary>
internal sealed record UsageSample(long WallTimestamp, double ThreadCpuSeconds, long MinorFaults, long MajorFaults,
    long VoluntarySwitches, long InvoluntarySwitches, int Gen0, int Gen1, int Gen2, TimeSpan GcPause, double StealSeconds)
{
    // USER_HZ: the unit of /proc's CPU times; 100 on every Linux architecture .NET runs on.
    private const double UserHz = 100;

    public static UsageSample Take()
    {
        double cpu = 0, steal = 0;
        long minor = 0, major = 0, voluntary = 0, involuntary = 0;
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // /proc/thread-self/stat: fields after "(comm)": 3 state … 10 minflt, 12 majflt, 14 utime, 15 stime.
                string stat = File.ReadAllText("/proc/thread-self/stat");
                string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                minor = long.Parse(f[7], CultureInfo.InvariantCulture);
                major = long.Parse(f[9], CultureInfo.InvariantCulture);
                cpu = (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / UserHz;
                foreach (string line in File.ReadLines("/proc/thread-self/status"))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        voluntary = long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                    else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        involuntary = long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
                // /proc/stat "cpu" line: user nice system idle iowait irq softirq steal …, all CPUs.
                string[] cpuLine = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                steal = long.Parse(cpuLine[8], CultureInfo.InvariantCulture) / UserHz;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // Diagnostics only: a kernel without these files gives zeros.
            }
        }
        return new UsageSample(Stopwatch.GetTimestamp(), cpu, minor, major, voluntary, involuntary,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), steal);
    }
}

/// <summary>What happened during a measured run: the loop thread's CPU share (a SCHED_FIFO thread near
/// 95 % meets the kernel's RT throttling), its page faults and context switches, the process's garbage
/// collections (each one stops the loop thread too) and the hypervisor's steal time.</summary>
internal sealed record LoopRunDiagnostics(double Seconds, double LoopCpuPercent, long MinorFaults, long MajorFaults, long VoluntarySwitches,
    long InvoluntarySwitches, int Gen0, int Gen1, int Gen2, TimeSpan GcPause, double StealSeconds)
{
    public static LoopRunDiagnostics Between(UsageSample a, UsageSample b)
    {
        double seconds = Stopwatch.GetElapsedTime(a.WallTimestamp, b.WallTimestamp).TotalSeconds;
        return new LoopRunDiagnostics(seconds, 100 * (b.ThreadCpuSeconds - a.ThreadCpuSeconds) / seconds, b.MinorFaults - a.MinorFaults,
            b.MajorFaults - a.MajorFaults, b.VoluntarySwitches - a.VoluntarySwitches, b.InvoluntarySwitches - a.InvoluntarySwitches,
            b.Gen0 - a.Gen0, b.Gen1 - a.Gen1, b.Gen2 - a.Gen2, b.GcPause - a.GcPause, b.StealSeconds - a.StealSeconds);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"loop thread {LoopCpuPercent:F0} % CPU over {Seconds:F0} s, {MinorFaults} minor / {MajorFaults} major page faults, " +
        $"{VoluntarySwitches} voluntary / {InvoluntarySwitches} involuntary context switches; GCs gen0/1/2 {Gen0}/{Gen1}/{Gen2} " +
        $"(pauses {GcPause.TotalMilliseconds:F1} ms); hypervisor steal {StealSeconds * 1000:F0} ms (all CPUs)");
}
