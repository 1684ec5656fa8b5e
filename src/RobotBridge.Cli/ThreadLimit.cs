namespace RobotBridge.Cli;

/// <summary>Thread counts above the machine's cores only add contention (a request of 100000 once
/// spawned 2,576 threads and a load average of 972): they are capped at the core count, with a warning.</summary>
internal static class ThreadLimit
{
    public static int Cap(int requested, string option, TextWriter stderr, string command)
    {
        int cores = Environment.ProcessorCount;
        if (requested <= cores) return requested;
        stderr.WriteLine($"{command}: warning: {option} {requested} is more than the {cores} cores of this machine; using {cores}");
        return cores;
    }
}
