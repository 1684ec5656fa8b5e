using RobotBridge.Gym;
using RobotBridge.Gym.Checking;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Tests.Gym;

public class EnvCheckerTests
{
    [Fact]
    public void A_correct_point_mass_goal_env_passes_every_clause()
    {
        using var env = new PointMassGoalEnv(new PointMassGoalOptions { RenderMode = RenderMode.RgbArray });
        var report = EnvChecker.Check(env);
        Assert.True(report.Passed, report.ToString());
        Assert.Empty(report.Findings);
        Assert.Contains(EnvContracts.GoalComputeReward, report.Checked);
        Assert.Contains(EnvContracts.StepDeterminism, report.Checked);
        Assert.Contains(EnvContracts.Render, report.Checked);
    }

    [Theory]
    [InlineData("PointMassGoal-v0")]
    [InlineData("PointMassGoalDense-v0")]
    public void Registered_envs_made_with_the_standard_wrappers_pass(string id)
    {
        using var env = EnvRegistry.Default.Make(id, new EnvOptions { Settings = new Dictionary<string, object?> { ["image_size"] = 8 } });
        var report = EnvChecker.Check(env, new EnvCheckOptions { Steps = 120 });
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(id, report.EnvName);
    }

    [Theory]
    [InlineData(Fault.ResetObservationOutOfSpace, EnvContracts.ResetObservation)]
    [InlineData(Fault.StepObservationOutOfSpace, EnvContracts.StepObservation)]
    [InlineData(Fault.IgnoresSeed, EnvContracts.ResetSeedDeterminism)]
    [InlineData(Fault.NoisyStep, EnvContracts.StepDeterminism)]
    [InlineData(Fault.NaNReward, EnvContracts.StepReward)]
    [InlineData(Fault.NullResetInfo, EnvContracts.ResetInfo)]
    [InlineData(Fault.NullStepInfo, EnvContracts.StepInfo)]
    [InlineData(Fault.StepThrows, EnvContracts.StepException)]
    [InlineData(Fault.MutatesAction, EnvContracts.StepActionUnchanged)]
    [InlineData(Fault.ComputeRewardDisagrees, EnvContracts.GoalComputeReward)]
    [InlineData(Fault.ComputeRewardDependsOnBatch, EnvContracts.GoalComputeReward)]
    [InlineData(Fault.MissingDesiredGoalKey, EnvContracts.GoalObservationKeys)]
    [InlineData(Fault.SpaceSamplesOutsideItself, EnvContracts.SpaceSample)]
    [InlineData(Fault.RgbArrayRendersNothing, EnvContracts.Render)]
    public void Each_broken_env_fails_with_the_clause_it_breaks(Fault fault, string contract)
    {
        using var env = new SabotagedGoalEnv(fault);
        var report = EnvChecker.Check(env);
        Assert.False(report.Passed);
        Assert.True(report.Failed(contract), $"expected [{contract}] to fail for {fault}:\n{report}");
        var finding = report.Errors.First(f => f.Contract == contract);
        Assert.Contains($"[{contract}]", finding.ToString());
        Assert.DoesNotContain("System.", finding.Message); // values are shown, not type names
        var thrown = Assert.Throws<EnvContractException>(report.ThrowIfFailed);
        Assert.False(string.IsNullOrEmpty(thrown.Contract));
    }

    [Fact]
    public void An_unnormalized_action_box_is_a_warning_not_a_failure()
    {
        using var env = new ProbeEnv(new Box<float>(0f, 10f, 2));
        var report = EnvChecker.Check(env);
        Assert.True(report.Passed, report.ToString());
        Assert.Contains(report.Warnings, w => w.Contract == EnvContracts.ActionSpaceNormalized);
    }

    public enum Fault
    {
        ResetObservationOutOfSpace,
        StepObservationOutOfSpace,
        IgnoresSeed,
        NoisyStep,
        NaNReward,
        NullResetInfo,
        NullStepInfo,
        StepThrows,
        MutatesAction,
        ComputeRewardDisagrees,
        ComputeRewardDependsOnBatch,
        MissingDesiredGoalKey,
        SpaceSamplesOutsideItself,
        RgbArrayRendersNothing,
    }

    /// <summary>The point-mass goal env with exactly one deliberate contract violation.</summary>
    private sealed class SabotagedGoalEnv : IGoalEnv<float[]>
    {
        private readonly Fault _fault;
        private readonly PointMassGoalEnv _inner;
        private readonly Space<DictValue> _observationSpace;
        private readonly Space<float[]> _actionSpace;
        private readonly Random _noise = new();
        private int _steps;

        public SabotagedGoalEnv(Fault fault)
        {
            _fault = fault;
            _inner = new PointMassGoalEnv(new PointMassGoalOptions
            {
                RewardType = GoalRewardType.Dense,
                RenderMode = fault == Fault.RgbArrayRendersNothing ? RenderMode.RgbArray : RenderMode.None,
            });
            var goal = new Box<double>(double.NegativeInfinity, double.PositiveInfinity, 3);
            _observationSpace = fault == Fault.MissingDesiredGoalKey
                ? new DictSpace(("achieved_goal", goal), ("goal", goal), ("observation", new Box<double>(double.NegativeInfinity, double.PositiveInfinity, 6)))
                : _inner.ObservationSpace;
            _actionSpace = fault == Fault.SpaceSamplesOutsideItself ? new LeakyBox() : _inner.ActionSpace;
        }

        public Space<DictValue> ObservationSpace => _observationSpace;
        public Space<float[]> ActionSpace => _actionSpace;
        Space IEnv.ObservationSpace => _observationSpace;
        Space IEnv.ActionSpace => _actionSpace;
        public RenderMode RenderMode => _inner.RenderMode;
        public EnvSpec? Spec => null;
        public IEnv Unwrapped => this;
        public int GoalDimension => 3;

        public ResetResult<DictValue> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
        {
            _steps = 0;
            var (obs, info) = _inner.Reset(_fault == Fault.IgnoresSeed ? _noise.Next() : seed, options);
            obs = Rename(obs);
            if (_fault == Fault.ResetObservationOutOfSpace)
                obs = new DictValue([.. obs.Keys], [obs[0], obs[1], new double[5]]);
            return new(obs, _fault == Fault.NullResetInfo ? null! : info);
        }

        public StepResult<DictValue> Step(float[] action)
        {
            _steps++;
            if (_fault == Fault.StepThrows && _steps == 5)
                throw new InvalidOperationException("simulated crash");
            if (_fault == Fault.SpaceSamplesOutsideItself)
                action = [.. action.Select(a => Math.Clamp(a, -1f, 1f))];
            var s = _inner.Step(action);
            if (_fault == Fault.MutatesAction)
                action[0] = Math.Clamp(action[0] * 0.5f, -1f, 1f);
            var obs = Rename(s.Observation);
            if (_fault == Fault.NoisyStep)
                obs.Observation()[0] += _noise.NextDouble() * 1e-9;
            if (_fault == Fault.StepObservationOutOfSpace && _steps == 3)
                obs = new DictValue([.. obs.Keys], [obs[0], obs[1], new double[7]]);
            double reward = _fault == Fault.NaNReward && _steps == 3 ? double.NaN : s.Reward;
            return new(obs, reward, s.Terminated, s.Truncated, _fault == Fault.NullStepInfo ? null! : s.Info);
        }

        public void ComputeReward(ReadOnlySpan<double> achievedGoals, ReadOnlySpan<double> desiredGoals, ReadOnlySpan<Info> infos, Span<double> rewards)
        {
            _inner.ComputeReward(achievedGoals, desiredGoals, infos, rewards);
            if (_fault == Fault.ComputeRewardDisagrees)
                for (int i = 0; i < rewards.Length; i++)
                    rewards[i] = rewards[i] < -0.05 ? -1 : 0;
            if (_fault == Fault.ComputeRewardDependsOnBatch && rewards.Length == 1)
                rewards[0] += 1;
        }

        public RenderFrame? Render() => _fault == Fault.RgbArrayRendersNothing ? null : _inner.Render();

        public void Dispose() => _inner.Dispose();

        private DictValue Rename(DictValue obs) => _fault == Fault.MissingDesiredGoalKey
            ? new DictValue(["achieved_goal", "goal", "observation"], [obs[0], obs[1], obs[2]])
            : obs;
    }

    /// <summary>An action space whose sampler ignores its own bounds.</summary>
    private sealed class LeakyBox : Space<float[]>
    {
        private readonly Box<float> _box = new(-1f, 1f, 3);
        public override SpaceKind Kind => SpaceKind.Box;
        public override IReadOnlyList<int> Shape => _box.Shape;
        public override int FlatDimension => 3;
        public override float[] Sample(Random rng) => [2f, 0f, 0f];
        public override bool Contains(float[] value) => _box.Contains(value);
        public override float[] CreateValue() => new float[3];
        public override float[] Clone(float[] value) => (float[])value.Clone();
        public override bool ValueEquals(float[] a, float[] b) => _box.ValueEquals(a, b);
        public override void Flatten(float[] value, Span<double> destination) => _box.Flatten(value, destination);
        public override SpaceBatch<float[]> CreateBatch(int count) => _box.CreateBatch(count);
        public override System.Text.Json.Nodes.JsonObject Describe() => _box.Describe();
        public override bool Equals(Space? other) => ReferenceEquals(this, other);
        public override int GetHashCode() => 1;
    }
}
