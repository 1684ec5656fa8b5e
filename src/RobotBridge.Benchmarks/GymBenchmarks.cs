using BenchmarkDotNet.Attributes;
using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Vector;
using RobotBridge.Gym.Wrappers;

namespace RobotBridge.Benchmarks;

/// <summary>
/// Cost of one env step of the toy PointMassGoal env: bare, through the standard Make wrappers,
/// through a full training stack, and inside 8-env vector envs. Every benchmark reports the time per
/// single-env step (OperationsPerInvoke), so the differences are the per-step overhead.
/// Run: dotnet run -c Release --project src/RobotBridge.Benchmarks -- --filter '*GymStep*'
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class GymStepBenchmarks
{
    private const int StepsPerOp = 1000;
    private const int VectorEnvs = 8;

    private readonly float[] _action = [0.3f, -0.2f, 0.1f];
    private PointMassGoalEnv _bare = null!;
    private IEnv<DictValue, float[]> _made = null!;
    private IEnv<double[], float[]> _stack = null!;
    private IVectorEnv<DictValue, float[]> _sync = null!;
    private IVectorEnv<DictValue, float[]> _threaded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = new PointMassGoalEnv();
        _bare.Reset(seed: 0);
        _made = EnvRegistry.Default.Make<DictValue, float[]>("PointMassGoal-v0");
        _made.Reset(seed: 0);
        // What an MLP policy trains on: Make's wrappers + statistics + clipping + flat, normalised observations.
        _stack = new NormalizeObservation<double, float[]>(
            new FlattenObservation<DictValue, float[]>(
                new ClipAction<DictValue, float>(
                    new RecordEpisodeStatistics<DictValue, float[]>(
                        EnvRegistry.Default.Make<DictValue, float[]>("PointMassGoal-v0")))));
        _stack.Reset(seed: 0);
        _sync = EnvRegistry.Default.MakeVec<DictValue, float[]>("PointMassGoal-v0", VectorEnvs, mode: VectorizationMode.Sync);
        _sync.Reset(seed: 0);
        _threaded = EnvRegistry.Default.MakeVec<DictValue, float[]>("PointMassGoal-v0", VectorEnvs, mode: VectorizationMode.Threaded);
        _threaded.Reset(seed: 0);
        FillActions(_sync);
        FillActions(_threaded);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bare.Dispose();
        _made.Dispose();
        _stack.Dispose();
        _sync.Dispose();
        _threaded.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = StepsPerOp)]
    public double Bare()
    {
        double sum = 0;
        for (int i = 0; i < StepsPerOp; i++)
        {
            // The bare env never ends an episode; reset every 50 steps like the registered time limit.
            if (i % 50 == 49)
                _bare.Reset();
            sum += _bare.Step(_action).Reward;
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = StepsPerOp)]
    public double MadeWithDefaultWrappers() => Run(_made);

    [Benchmark(OperationsPerInvoke = StepsPerOp)]
    public double FullTrainingStack() => Run(_stack);

    [Benchmark(OperationsPerInvoke = StepsPerOp)]
    public double SyncVector8() => RunVector(_sync);

    [Benchmark(OperationsPerInvoke = StepsPerOp)]
    public double ThreadedVector8() => RunVector(_threaded);

    private double Run<TObs>(IEnv<TObs, float[]> env)
    {
        double sum = 0;
        for (int i = 0; i < StepsPerOp; i++)
        {
            var s = env.Step(_action);
            sum += s.Reward;
            if (s.Terminated || s.Truncated)
                env.Reset();
        }
        return sum;
    }

    private static double RunVector(IVectorEnv<DictValue, float[]> vec)
    {
        double sum = 0;
        for (int i = 0; i < StepsPerOp / VectorEnvs; i++)
        {
            vec.Step();
            sum += vec.Rewards[0];
        }
        return sum;
    }

    private static void FillActions(IVectorEnv<DictValue, float[]> vec)
    {
        var data = ((ArrayBatch<float>)vec.Actions).Data;
        for (int i = 0; i < data.Length; i++)
            data[i] = (i % 3 - 1) * 0.4f;
    }
}

/// <summary>
/// Whether the threaded vector env pays off where an env step is expensive: FetchReach-v4 on the
/// MuJoCo twin, one env vs 4 envs stepped in turn vs 4 envs on worker threads. Time per single-env step.
/// Run: dotnet run -c Release --project src/RobotBridge.Benchmarks -- --filter '*GymFetchVector*'
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class GymFetchVectorBenchmarks
{
    private const int StepsPerOp = 40;
    private const int VectorEnvs = 4;
    private const string Id = "FetchReach-v4";

    private readonly float[] _action = [0.3f, -0.2f, 0.1f, 0f];
    private IEnv<DictValue, float[]> _single = null!;
    private IVectorEnv<DictValue, float[]> _sync = null!;
    private IVectorEnv<DictValue, float[]> _threaded = null!;

    [GlobalSetup]
    public void Setup()
    {
        var registry = new EnvRegistry();
        RobotBridge.Tasks.FetchEnvs.Register(registry, new RobotBridge.Sim.Tasks.SimFetchBodyProvider());
        _single = registry.Make<DictValue, float[]>(Id);
        _single.Reset(seed: 0);
        _sync = registry.MakeVec<DictValue, float[]>(Id, VectorEnvs, mode: VectorizationMode.Sync);
        _sync.Reset(seed: 0);
        _threaded = registry.MakeVec<DictValue, float[]>(Id, VectorEnvs, mode: VectorizationMode.Threaded);
        _threaded.Reset(seed: 0);
        foreach (var vec in new[] { _sync, _threaded })
        {
            var data = ((ArrayBatch<float>)vec.Actions).Data;
            for (int i = 0; i < data.Length; i++)
                data[i] = _action[i % _action.Length];
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _single.Dispose();
        _sync.Dispose();
        _threaded.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = StepsPerOp)]
    public double Single()
    {
        double sum = 0;
        for (int i = 0; i < StepsPerOp; i++)
        {
            var s = _single.Step(_action);
            sum += s.Reward;
            if (s.Terminated || s.Truncated)
                _single.Reset();
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = StepsPerOp)]
    public double SyncVector4() => Run(_sync);

    [Benchmark(OperationsPerInvoke = StepsPerOp)]
    public double ThreadedVector4() => Run(_threaded);

    private static double Run(IVectorEnv<DictValue, float[]> vec)
    {
        double sum = 0;
        for (int i = 0; i < StepsPerOp / VectorEnvs; i++)
        {
            vec.Step();
            sum += vec.Rewards[0];
        }
        return sum;
    }
}
