using System.Runtime.InteropServices;

namespace RobotBridge.Control;

/// <summary>
/// Lowers the calling thread's CPU priority (Linux nice), for bulk work such as rendering or encoding a
/// camera that must yield the CPU to the threads that keep a robot's state and controllers on time, as a
/// real robot's camera driver runs beside, not before, its joint-state driver. Lowering needs no
/// privilege; threads the calling thread starts later (a software rasteriser's workers) inherit it.
/// </summary>
public static partial class BackgroundScheduling
{
    private const int PrioProcess = 0;

    [LibraryImport("libc", SetLastError = true, EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int prio);

    /// <summary>Sets the calling thread's nice value to <paramref name="nice"/> (1–19, higher yields more).</summary>
    /// <returns>null on success, else why it did not happen (the thread then runs at normal priority).</returns>
    public static string? TryLowerCallingThread(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "thread nice values are only implemented for Linux";
        }
        if (nice is < 1 or > 19)
        {
            return $"nice must be 1..19, got {nice}";
        }
        try
        {
            // On Linux, PRIO_PROCESS with who 0 is the calling thread: each thread has its own nice value.
            if (SetPriority(PrioProcess, 0, nice) != 0)
            {
                return $"setpriority failed with errno {Marshal.GetLastPInvokeError()}";
            }
            return null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"libc setpriority not available: {ex.Message}";
        }
    }
}
