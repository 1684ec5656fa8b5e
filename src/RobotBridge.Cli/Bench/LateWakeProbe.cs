using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// Explains each late wake of the loop thread from two Linux counters read every cycle (Linux only;
/// elsewhere it stays silent): the thread's time runnable but waiting for a CPU
/// (<c>/proc/thread-self/schedstat</c>, ns: a wake that was on time but not run — another task or
/// non-preemptible kernel code held the CPU, or RT throttling) and the hypervisor's steal of the CPU
/// the loop runs on (<c>/proc/stat</c>, 10 ms units: the vCPU itself was not running, so the timer
/// fired late). Steal is credited at the CPU's next tick after the vCPU runs again, so a late wake's
/// steal is read <see cref="StealSettle"/> after it.
/// </summary>
/// <remarks>Must be created and used on the loop thread (thread-self). Reads into preallocated buffers
/// and parses bytes in place: one cycle's probe allocates nothing and costs ~15 µs (mostly the kernel
/// formatting /proc/stat).</remarks>
internal sealed partial class LateWakeProbe : IDisposable
{
    /// <summary>How long after a late wake its CPU's steal is read (a tick is 4 ms at HZ=250, 10 ms at HZ=100).</summary>
    public static readonly TimeSpan StealSettle = TimeSpan.FromMilliseconds(20);

    private const int MaxReported = 64;
    private const double UserHz = 100;

    private readonly SafeFileHandle? _schedstat;
    private readonly SafeFileHandle? _stat;
    private readonly byte[] _buffer = new byte[16384];
    private readonly LateWake[] _late = new LateWake[MaxReported];
    private readonly double _lateAfter;
    private int _lateCount;
    private long _lateTotal;
    private double _lastTime = double.NaN;
    private long _lastRunDelay;
    private int _lastCpu = -1;
    private long _lastSteal;
    private int _settling = -1;

    /// <param name="period">The loop's period: a wake more than 1.5 periods after the previous one is late
    /// (the bench's definition).</param>
    public LateWakeProbe(TimeSpan period)
    {
        _lateAfter = 1.5 * period.TotalSeconds;
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            _schedstat = File.OpenHandle("/proc/thread-self/schedstat");
            _stat = File.OpenHandle("/proc/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _schedstat?.Dispose();
            _schedstat = null;
        }
    }

    /// <summary>Forgets the late wakes seen so far (the end of a warm-up); the next wake is compared with
    /// the last one observed.</summary>
    public void Restart()
    {
        _lateCount = 0;
        _lateTotal = 0;
        _settling = -1;
    }

    /// <summary>One cycle's wake at <paramref name="time"/> (s, loop clock).</summary>
    public void Observe(double time)
    {
        if (_schedstat is null || _stat is null)
        {
            return;
        }
        long runDelay = RunDelay();
        int cpu = SchedGetCpu();
        long steal = Steal(cpu);
        if (_settling >= 0 && time - _late[_settling].Time >= StealSettle.TotalSeconds)
        {
            ref LateWake pending = ref _late[_settling];
            pending.StealTicks = (cpu == pending.Cpu ? steal : Steal(pending.Cpu)) - pending.StealBefore;
            _settling = -1;
        }
        if (!double.IsNaN(_lastTime) && time - _lastTime > _lateAfter)
        {
            _lateTotal++;
            if (_lateCount < MaxReported && _settling < 0)
            {
                // The steal counter of the CPU the thread slept on, read last cycle.
                _late[_lateCount] = new LateWake(time, time - _lastTime, runDelay - _lastRunDelay, _lastCpu, cpu,
                    cpu == _lastCpu ? _lastSteal : Steal(_lastCpu), 0);
                _settling = _lateCount++;
            }
        }
        _lastTime = time;
        _lastRunDelay = runDelay;
        _lastCpu = cpu;
        _lastSteal = steal;
    }

    /// <summary>One line per late wake (the first <see cref="MaxReported"/>), then a summary; empty when
    /// nothing was late or the counters are not available.</summary>
    public IEnumerable<string> Report(double origin)
    {
        if (_lateTotal == 0)
        {
            yield break;
        }
        double lateMs = 0, waitMs = 0, stealMs = 0;
        int withSteal = 0, withWait = 0;
        for (int i = 0; i < _lateCount; i++)
        {
            LateWake w = _late[i];
            lateMs += w.Period * 1000;
            waitMs += w.RunDelayNs / 1e6;
            stealMs += w.StealTicks * 1000 / UserHz;
            withSteal += w.StealTicks > 0 ? 1 : 0;
            withWait += w.RunDelayNs > 1_000_000 ? 1 : 0;
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  late wake at {w.Time - origin:F3} s: period {w.Period * 1000:F3} ms, waited for a CPU {w.RunDelayNs / 1e6:F3} ms, " +
                $"steal on cpu{w.Cpu} {w.StealTicks * 1000 / UserHz:F0} ms{(w.Cpu != w.WokeOn ? $" (woke on cpu{w.WokeOn})" : "")}");
        }
        yield return string.Create(CultureInfo.InvariantCulture,
            $"  {_lateTotal} late wakes{(_lateTotal > _lateCount ? $" (first {_lateCount} listed)" : "")}: " +
            $"{withWait} waited > 1 ms for a CPU (sum {waitMs:F1} ms); {withSteal} on a vCPU with hypervisor steal credited within " +
            $"{StealSettle.TotalMilliseconds:F0} ms (sum {stealMs:F0} ms, 10 ms units) against {lateMs:F1} ms of their periods");
        if (_lateCount >= 3)
        {
            (int locked, int phase) = PhaseLock();
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  {locked} of {_lateCount} ended within ±1 ms of the same phase of a 100 ms cycle (wake time mod 100 ms ≈ {phase} ms); " +
                $"many at one phase = a periodic stall from outside this kernel's scheduler (e.g. the host's 100 ms CPU-quota period)");
        }
    }

    /// <summary>The most late wakes whose time modulo 100 ms falls within one 3 ms window, and that window's centre.</summary>
    private (int Count, int PhaseMs) PhaseLock()
    {
        Span<int> bins = stackalloc int[100];
        for (int i = 0; i < _lateCount; i++)
        {
            bins[(int)Math.Round(_late[i].Time * 1000 % 100) % 100]++;
        }
        int best = 0, phase = 0;
        for (int b = 0; b < 100; b++)
        {
            int count = bins[(b + 99) % 100] + bins[b] + bins[(b + 1) % 100];
            if (count > best || (count == best && bins[b] > bins[phase]))
            {
                (best, phase) = (count, b);
            }
        }
        return (best, phase);
    }

    private long RunDelay()
    {
        // "<ns on CPU> <ns runnable, waiting> <timeslices>"
        int n = RandomAccess.Read(_schedstat!, _buffer, 0);
        ReadOnlySpan<byte> text = _buffer.AsSpan(0, n);
        int first = text.IndexOf((byte)' ');
        if (first < 0)
        {
            return 0;
        }
        text = text[(first + 1)..];
        int second = text.IndexOf((byte)' ');
        return ParseLong(second < 0 ? text : text[..second]);
    }

    /// <summary>The "cpuN" line's steal field (the 8th number), in 10 ms units; 0 if not found.</summary>
    private long Steal(int cpu)
    {
        if (cpu < 0)
        {
            return 0;
        }
        int n = RandomAccess.Read(_stat!, _buffer, 0);
        ReadOnlySpan<byte> text = _buffer.AsSpan(0, n);
        Span<byte> label = stackalloc byte[16];
        label[0] = (byte)'\n';
        label[1] = (byte)'c';
        label[2] = (byte)'p';
        label[3] = (byte)'u';
        cpu.TryFormat(label[4..], out int digits, provider: CultureInfo.InvariantCulture);
        label[4 + digits] = (byte)' ';
        int at = text.IndexOf(label[..(5 + digits)]);
        if (at < 0)
        {
            return 0;
        }
        text = text[(at + 5 + digits)..];
        int end = text.IndexOf((byte)'\n');
        if (end >= 0)
        {
            text = text[..end];
        }
        // user nice system idle iowait irq softirq steal …
        for (int field = 0; field < 7; field++)
        {
            text = text.TrimStart((byte)' ');
            int space = text.IndexOf((byte)' ');
            if (space < 0)
            {
                return 0;
            }
            text = text[space..];
        }
        text = text.TrimStart((byte)' ');
        int stop = text.IndexOf((byte)' ');
        return ParseLong(stop < 0 ? text : text[..stop]);
    }

    private static long ParseLong(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (byte b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                break;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    private static int SchedGetCpu()
    {
        try
        {
            return GetCpu();
        }
        catch (EntryPointNotFoundException)
        {
            return -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_getcpu")]
    private static partial int GetCpu();

    public void Dispose()
    {
        _schedstat?.Dispose();
        _stat?.Dispose();
    }

    private record struct LateWake(double Time, double Period, long RunDelayNs, int Cpu, int WokeOn, long StealBefore, long StealTicks);
}
