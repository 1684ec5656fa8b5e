using System.Runtime.InteropServices;

namespace RobotBridge.Control;

/// <summary>
/// Puts the calling thread under the Linux real-time FIFO scheduler, so a busy machine cannot
/// delay the control loop's wake-ups behind ordinary threads. Needs root or CAP_SYS_NICE; where
/// that is missing (or not Linux) it reports why and the loop runs at normal priority.
/// The kernel's RT throttling (sched_rt_runtime_us) still leaves other threads some CPU.
/// </summary>
public static partial class RealtimeScheduling
{
    private const int SchedFifo = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [LibraryImport("libc", SetLastError = true, EntryPoint = "sched_setscheduler")]
    private static partial int SchedSetScheduler(int pid, int policy, in SchedParam param);

    /// <summary>Tries SCHED_FIFO at <paramref name="priority"/> (1–99) for the calling thread.</summary>
    /// <returns>null on success, else why it did not happen.</returns>
    public static string? TryEnterFifo(int priority)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "real-time scheduling is only implemented for Linux";
        }
        if (priority is < 1 or > 99)
        {
            return $"SCHED_FIFO priority must be 1..99, got {priority}";
        }
        try
        {
            // pid 0 = the calling thread (Linux schedules threads individually).
            if (SchedSetScheduler(0, SchedFifo, new SchedParam { Priority = priority }) != 0)
            {
                return $"sched_setscheduler failed with errno {Marshal.GetLastPInvokeError()} (needs root or CAP_SYS_NICE)";
            }
            return null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"libc sched_setscheduler not available: {ex.Message}";
        }
    }
}
