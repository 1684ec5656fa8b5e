using BenchmarkDotNet.Running;

namespace RobotBridge.Benchmarks;

public static class Program
{
    // BenchmarkDotNet benchmarks; pass --filter to pick. Long-running measurements that are not
    // micro-benchmarks (loop jitter, end-to-end latency) live in `robotbridge bench`.
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
