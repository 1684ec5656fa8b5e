using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Vector;

namespace RobotBridge.Tests.Gym;

public class VectorEnvTests
{
    private const int N = 8;

    // Episode lengths differ per env (5..12 steps) so autoresets happen at different times.
    private static IEnv<DictValue, float[]> MakeEnv(int i) =>
        EnvRegistry.Default.Make<DictValue, float[]>("PointMassGoalDense-v0", new EnvOptions { MaxEpisodeSteps = 5 + i });

    private static IVectorEnv<DictValue, float[]> MakeVector(VectorizationMode mode) => mode == VectorizationMode.Sync
        ? new SyncVectorEnv<DictValue, float[]>(N, MakeEnv)
        : new ThreadedVectorEnv<DictValue, float[]>(N, MakeEnv, workerCount: 3);

    [Theory]
    [InlineData(VectorizationMode.Sync)]
    [InlineData(VectorizationMode.Threaded)]
    public void Eight_envs_with_autoreset_equal_eight_single_envs_seeded_the_same_way(VectorizationMode mode)
    {
        const int seed = 100;
        using var vec = MakeVector(mode);
        var singles = Enumerable.Range(0, N).Select(MakeEnv).ToArray();
        try
        {
            var space = singles[0].ObservationSpace;
            var expected = new DictValue[N];
            var needsReset = new bool[N];
            vec.Reset(seed);
            for (int i = 0; i < N; i++)
                expected[i] = space.Clone(singles[i].Reset(seed + i).Observation);
            AssertObservations(vec, space, expected, step: -1);

            var rng = new Random(7);
            var actions = (ArrayBatch<float>)vec.Actions;
            int autoresets = 0;
            for (int t = 0; t < 40; t++)
            {
                for (int k = 0; k < actions.Data.Length; k++)
                    actions.Data[k] = (float)(rng.NextDouble() * 2 - 1);
                vec.Step();
                for (int i = 0; i < N; i++)
                {
                    if (needsReset[i])
                    {
                        // Next-step autoreset: this step resets env i, ignores its action, reward 0, flags false.
                        expected[i] = space.Clone(singles[i].Reset().Observation);
                        Assert.Equal(0.0, vec.Rewards[i]);
                        Assert.False(vec.Terminated[i] || vec.Truncated[i]);
                        needsReset[i] = false;
                        autoresets++;
                        continue;
                    }
                    var s = singles[i].Step(actions[i].ToArray());
                    expected[i] = space.Clone(s.Observation);
                    Assert.Equal(s.Reward, vec.Rewards[i]);
                    Assert.Equal(s.Terminated, vec.Terminated[i]);
                    Assert.Equal(s.Truncated, vec.Truncated[i]);
                    Assert.Equal(s.Info.Get(InfoKeys.IsSuccess), vec.Infos[i].Get(InfoKeys.IsSuccess));
                    needsReset[i] = s.Terminated || s.Truncated;
                }
                AssertObservations(vec, space, expected, t);
            }
            Assert.True(autoresets >= N * 2, $"only {autoresets} autoresets happened");
        }
        finally
        {
            foreach (var s in singles)
                s.Dispose();
        }
    }

    [Theory]
    [InlineData(VectorizationMode.Sync)]
    [InlineData(VectorizationMode.Threaded)]
    public void Observations_are_batched_in_one_contiguous_buffer_per_key(VectorizationMode mode)
    {
        using var vec = EnvRegistry.Default.MakeVec<DictValue, float[]>("PointMassGoal-v0", 4, EnvOptions.Default.With("image_size", 8), mode);
        vec.Reset(seed: 1);
        var batch = (DictBatch)vec.Observations;
        var desired = batch.Get<ArrayBatch<double>>("desired_goal");
        var image = batch.Get<ArrayBatch<byte>>("image");
        Assert.Equal(4 * 3, desired.Data.Length);
        Assert.Equal(4 * 8 * 8 * 3, image.Data.Length);
        using var single = EnvRegistry.Default.Make<DictValue, float[]>("PointMassGoal-v0", EnvOptions.Default.With("image_size", 8));
        Assert.Equal(single.Reset(seed: 3).Observation.DesiredGoal(), desired.Data.AsSpan(2 * 3, 3).ToArray());
    }

    [Theory]
    [InlineData(VectorizationMode.Sync)]
    [InlineData(VectorizationMode.Threaded)]
    public void A_failing_sub_env_is_reported_by_index_and_faults_the_vector_env(VectorizationMode mode)
    {
        IEnv<double[], float[]> Make(int i) => new ProbeEnv(new Box<float>(-1f, 1f, 2));
        using IVectorEnv<double[], float[]> vec = mode == VectorizationMode.Sync
            ? new SyncVectorEnv<double[], float[]>(3, Make)
            : new ThreadedVectorEnv<double[], float[]>(3, Make);
        Assert.Throws<ResetNeededException>(vec.Step);
        vec.Reset(seed: 0);
        vec.Dispose();
        Assert.Throws<ClosedEnvironmentException>(vec.Step);

        using var faulty = mode == VectorizationMode.Sync
            ? new SyncVectorEnv<DictValue, float[]>(3, i => new RobotBridge.Gym.Envs.PointMassGoalEnv())
            : (IVectorEnv<DictValue, float[]>)new ThreadedVectorEnv<DictValue, float[]>(3, i => new RobotBridge.Gym.Envs.PointMassGoalEnv());
        faulty.Reset(seed: 0);
        ((ArrayBatch<float>)faulty.Actions)[1][0] = float.NaN; // PointMassGoalEnv rejects NaN actions
        var e = Assert.Throws<InvalidOperationException>(faulty.Step);
        Assert.Contains("env 1 of 3", e.Message);
        Assert.Contains("NaN", e.Message);
        Assert.Throws<InvalidOperationException>(faulty.Step);
    }

    [Fact]
    public void Threaded_envs_are_built_stepped_and_disposed_on_their_own_worker_thread()
    {
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var disposed = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using (var vec = new ThreadedVectorEnv<double[], float[]>(4, i =>
               {
                   threads[i] = Environment.CurrentManagedThreadId;
                   return new ThreadCheckingEnv(i, threads, violations, disposed);
               }, workerCount: 2))
        {
            vec.Reset(seed: 0);
            vec.Step();
        }
        Assert.Empty(violations);
        Assert.Equal([0, 1, 2, 3], disposed.Order());
        Assert.Equal(2, threads.Values.Distinct().Count());
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads[0]);
    }

    private static void AssertObservations(IVectorEnv<DictValue, float[]> vec, Space<DictValue> space, DictValue[] expected, int step)
    {
        var reuse = space.CreateValue();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(space.ValueEquals(expected[i], vec.Observations.Read(i, reuse)), $"env {i} differs after step {step}: {expected[i]} vs {reuse}");
    }

    private sealed class ThreadCheckingEnv(int index, System.Collections.Concurrent.ConcurrentDictionary<int, int> threads,
        System.Collections.Concurrent.ConcurrentQueue<string> violations, System.Collections.Concurrent.ConcurrentQueue<int> disposed) : IEnv<double[], float[]>
    {
        private readonly ProbeEnv _inner = new();
        public Space<double[]> ObservationSpace => _inner.ObservationSpace;
        public Space<float[]> ActionSpace => _inner.ActionSpace;
        Space IEnv.ObservationSpace => ObservationSpace;
        Space IEnv.ActionSpace => ActionSpace;
        public RenderMode RenderMode => RenderMode.None;
        public EnvSpec? Spec => null;
        public IEnv Unwrapped => this;
        public ResetResult<double[]> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null) { Check(); return _inner.Reset(seed, options); }
        public StepResult<double[]> Step(float[] action) { Check(); return _inner.Step(action); }
        public RenderFrame? Render() => null;
        public void Dispose() { Check(); _inner.Dispose(); disposed.Enqueue(index); }

        private void Check()
        {
            if (threads[index] != Environment.CurrentManagedThreadId)
                violations.Enqueue($"env {index} used on thread {Environment.CurrentManagedThreadId}, built on {threads[index]}");
        }
    }
}

public class DiscreteVectorEnvTests
{
    /// <summary>Observation = the last action taken (as a 1-element Box); ends after 3 steps.</summary>
    private sealed class EchoEnv : Env<float[], int>
    {
        private readonly float[] _obs = new float[1];
        private int _steps;
        public override Space<float[]> ObservationSpace { get; } = new Box<float>(-1f, 10f, 1);
        public override Space<int> ActionSpace { get; } = new Discrete(4, start: 1);

        protected override ResetResult<float[]> OnReset(IReadOnlyDictionary<string, object?>? options)
        {
            _steps = 0;
            _obs[0] = -1;
            return new(_obs, Info);
        }

        public override StepResult<float[]> Step(int action)
        {
            _steps++;
            _obs[0] = action;
            return new(_obs, action * 0.5, _steps == 3, false, Info);
        }
    }

    [Theory]
    [InlineData(VectorizationMode.Sync)]
    [InlineData(VectorizationMode.Threaded)]
    public void Discrete_actions_are_read_from_an_int_batch_and_episodes_autoreset(VectorizationMode mode)
    {
        using IVectorEnv<float[], int> vec = mode == VectorizationMode.Sync
            ? new SyncVectorEnv<float[], int>(3, _ => new EchoEnv())
            : new ThreadedVectorEnv<float[], int>(3, _ => new EchoEnv());
        vec.Reset(seed: 0);
        var actions = (DiscreteBatch)vec.Actions;
        var obs = (ArrayBatch<float>)vec.Observations;
        Assert.Equal([-1f, -1f, -1f], obs.Data);
        for (int t = 0; t < 3; t++)
        {
            actions.Data[0] = 1;
            actions.Data[1] = 2;
            actions.Data[2] = 4;
            vec.Step();
            Assert.Equal([1f, 2f, 4f], obs.Data);
            Assert.Equal([0.5, 1.0, 2.0], vec.Rewards);
        }
        Assert.All(vec.Terminated, Assert.True);
        vec.Step(); // next-step autoreset: every env resets, actions ignored
        Assert.Equal([-1f, -1f, -1f], obs.Data);
        Assert.Equal([0.0, 0.0, 0.0], vec.Rewards);
        Assert.All(vec.Terminated, Assert.False);
    }
}
