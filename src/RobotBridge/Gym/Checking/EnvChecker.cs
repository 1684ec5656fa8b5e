using System.Reflection;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Checking;

/// <summary>Settings of <see cref="EnvChecker"/>.</summary>
public sealed record EnvCheckOptions
{
    /// <summary>Seed for resets and for sampling actions.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Steps per rollout in the step, determinism and ComputeReward checks.</summary>
    public int Steps { get; init; } = 40;

    /// <summary>Skip the seeding/determinism clauses (a real robot); also skipped when the env's spec says Nondeterministic.</summary>
    public bool SkipDeterminism { get; init; }

    /// <summary>Why the determinism clauses are skipped, for the report (e.g. "the body runs on a wall clock").</summary>
    public string? SkipDeterminismReason { get; init; }
}

/// <summary>
/// Checks that an env keeps the Gym contract (like gymnasium.utils.env_checker.check_env) and
/// reports each broken clause by name (<see cref="EnvContracts"/>): spaces sample and round-trip;
/// Reset and Step return observations in the space, finite rewards and an info; the same seed gives
/// the same first observation and trajectory; goal envs have the three goal keys and a ComputeReward
/// that reproduces Step's rewards; rendering matches the render mode.
/// </summary>
/// <remarks>The checker resets and steps the env (so do not run it on a real robot that is not free
/// to move) and leaves it mid-episode; it does not dispose it. Exceptions thrown by the env are
/// reported as findings of the clause being checked.</remarks>
public static class EnvChecker
{
    /// <summary>Checks an env of any value types.</summary>
    public static EnvCheckReport Check(IEnv env, EnvCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        var typed = env.GetType().GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnv<,>))
            ?? throw new ArgumentException($"{env.GetType().Name} does not implement IEnv<TObs, TAct>");
        var method = typeof(EnvChecker).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == nameof(Check) && m.IsGenericMethodDefinition)
            .MakeGenericMethod(typed.GetGenericArguments());
        try
        {
            return (EnvCheckReport)method.Invoke(null, [env, options])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    public static EnvCheckReport Check<TObs, TAct>(IEnv<TObs, TAct> env, EnvCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        options ??= new EnvCheckOptions();
        var report = new EnvCheckReport(env.Spec?.Id ?? env.Unwrapped.GetType().Name);
        bool deterministic = !options.SkipDeterminism && env.Spec?.Nondeterministic != true;
        if (!deterministic)
        {
            // Said in the report, so nobody mistakes the skipped clauses for passed ones.
            string why = options.SkipDeterminism ? options.SkipDeterminismReason ?? "skipped by the caller" : "the env's spec says it is nondeterministic";
            report.MarkSkipped(EnvContracts.ResetSeedDeterminism, why);
            report.MarkSkipped(EnvContracts.StepDeterminism, why);
        }
        if (!CheckSpacesPresent(env, report))
            return report;
        CheckSpaceSamples(env.ObservationSpace, "observation", options, report);
        CheckSpaceSamples(env.ActionSpace, "action", options, report);
        CheckSpaceJson(env.ObservationSpace, "observation", report);
        CheckSpaceJson(env.ActionSpace, "action", report);
        CheckActionSpaceNormalized(env.ActionSpace, report);
        if (!CheckResetObservation(env, options, report))
            return report;
        if (deterministic)
            CheckResetSeedDeterminism(env, options, report);
        CheckStepContract(env, options, report);
        if (deterministic)
            CheckStepDeterminism(env, options, report);
        if (env.Unwrapped is IGoalEnv goal)
        {
            if (env is IEnv<DictValue, TAct> goalTyped && CheckGoalObservationKeys(goalTyped, goal, report))
                CheckComputeReward(goalTyped, goal, options, report);
            else if (env is not IEnv<DictValue, TAct>)
                report.Add(EnvContracts.GoalObservationKeys, CheckSeverity.Warning,
                    $"the env is a goal env but the checked wrapper stack returns {typeof(TObs).Name} observations; goal clauses not checked");
        }
        CheckRender(env, report);
        return report;
    }

    private static bool CheckSpacesPresent(IEnv env, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.Spaces);
        if (env.ObservationSpace is null)
            report.Add(EnvContracts.Spaces, CheckSeverity.Error, "ObservationSpace is null");
        if (env.ActionSpace is null)
            report.Add(EnvContracts.Spaces, CheckSeverity.Error, "ActionSpace is null");
        return env.ObservationSpace is not null && env.ActionSpace is not null;
    }

    private static void CheckSpaceSamples(Space space, string which, EnvCheckOptions options, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.SpaceSample);
        var rng = new Random(options.Seed);
        for (int i = 0; i < 20; i++)
        {
            object sample = space.SampleObject(rng);
            if (!space.ContainsObject(sample))
            {
                report.Add(EnvContracts.SpaceSample, CheckSeverity.Error,
                    $"{which} space sampled a value it does not contain: {EnvContracts.WhyNotIn(space, sample)}");
                return;
            }
        }
    }

    private static void CheckSpaceJson(Space space, string which, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.SpaceJson);
        try
        {
            string json = space.ToJson();
            if (!Space.FromJson(json).Equals(space))
                report.Add(EnvContracts.SpaceJson, CheckSeverity.Error, $"{which} space does not survive a JSON round trip: {json}");
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException)
        {
            report.Add(EnvContracts.SpaceJson, CheckSeverity.Error, $"{which} space cannot be written/read as JSON: {e.Message}");
        }
    }

    private static void CheckActionSpaceNormalized(Space space, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.ActionSpaceNormalized);
        if (space is IBoxSpace { DType: DType.Float32 or DType.Float64 } box)
        {
            for (int i = 0; i < box.Size; i++)
            {
                if (box.LowAt(i) != -box.HighAt(i) || !double.IsFinite(box.HighAt(i)))
                {
                    report.Add(EnvContracts.ActionSpaceNormalized, CheckSeverity.Warning,
                        $"action element {i} has bounds [{box.LowAt(i)}, {box.HighAt(i)}]; continuous-control policies expect a symmetric, finite Box, usually [-1, 1] (use RescaleAction)");
                    return;
                }
            }
        }
    }

    private static bool CheckResetObservation<TObs, TAct>(IEnv<TObs, TAct> env, EnvCheckOptions options, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.ResetObservation);
        report.MarkChecked(EnvContracts.ResetInfo);
        try
        {
            var (obs, info) = env.Reset(options.Seed);
            if (obs is null || !env.ObservationSpace.Contains(obs))
                report.Add(EnvContracts.ResetObservation, CheckSeverity.Error,
                    $"Reset returned an observation outside the observation space: {EnvContracts.WhyNotIn(env.ObservationSpace, obs)}");
            if (info is null)
                report.Add(EnvContracts.ResetInfo, CheckSeverity.Error, "Reset returned a null info; return an (empty) Info");
            return true;
        }
        catch (Exception e)
        {
            report.Add(EnvContracts.ResetObservation, CheckSeverity.Error, $"Reset(seed: {options.Seed}) threw {e.GetType().Name}: {e.Message}");
            return false;
        }
    }

    private static void CheckResetSeedDeterminism<TObs, TAct>(IEnv<TObs, TAct> env, EnvCheckOptions options, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.ResetSeedDeterminism);
        try
        {
            var first = env.ObservationSpace.Clone(env.Reset(options.Seed).Observation);
            var second = env.Reset(options.Seed).Observation;
            if (!env.ObservationSpace.ValueEquals(first, second))
                report.Add(EnvContracts.ResetSeedDeterminism, CheckSeverity.Error,
                    $"Reset(seed: {options.Seed}) twice gave different observations ({EnvContracts.Show(first)} then {EnvContracts.Show(second)}); seed the env's generator from the Reset seed");
        }
        catch (Exception e)
        {
            report.Add(EnvContracts.ResetSeedDeterminism, CheckSeverity.Error, $"Reset threw {e.GetType().Name}: {e.Message}");
        }
    }

    private static void CheckStepContract<TObs, TAct>(IEnv<TObs, TAct> env, EnvCheckOptions options, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.StepObservation);
        report.MarkChecked(EnvContracts.StepReward);
        report.MarkChecked(EnvContracts.StepInfo);
        report.MarkChecked(EnvContracts.StepException);
        report.MarkChecked(EnvContracts.StepActionUnchanged);
        var rng = new Random(options.Seed);
        int t = 0;
        try
        {
            env.Reset(options.Seed);
            bool obsOk = true, rewardOk = true, infoOk = true, actionOk = true;
            for (; t < options.Steps; t++)
            {
                var action = env.ActionSpace.Sample(rng);
                var sent = env.ActionSpace.Clone(action);
                var s = env.Step(action);
                if (actionOk && !env.ActionSpace.ValueEquals(sent, action))
                {
                    actionOk = false;
                    report.Add(EnvContracts.StepActionUnchanged, CheckSeverity.Error,
                        $"Step {t} modified the caller's action ({EnvContracts.Show(sent)} became {EnvContracts.Show(action)}); copy it before clipping or scaling");
                }
                if (obsOk && (s.Observation is null || !env.ObservationSpace.Contains(s.Observation)))
                {
                    obsOk = false;
                    report.Add(EnvContracts.StepObservation, CheckSeverity.Error,
                        $"Step {t} returned an observation outside the observation space: {EnvContracts.WhyNotIn(env.ObservationSpace, s.Observation)}");
                }
                if (rewardOk && !double.IsFinite(s.Reward))
                {
                    rewardOk = false;
                    report.Add(EnvContracts.StepReward, CheckSeverity.Error, $"Step {t} returned reward {s.Reward}; rewards must be finite");
                }
                if (infoOk && s.Info is null)
                {
                    infoOk = false;
                    report.Add(EnvContracts.StepInfo, CheckSeverity.Error, $"Step {t} returned a null info; return an (empty) Info");
                }
                if (s.Terminated || s.Truncated)
                    env.Reset();
            }
        }
        catch (Exception e)
        {
            report.Add(EnvContracts.StepException, CheckSeverity.Error, $"Step {t} with an action sampled from the action space threw {e.GetType().Name}: {e.Message}");
        }
    }

    private static void CheckStepDeterminism<TObs, TAct>(IEnv<TObs, TAct> env, EnvCheckOptions options, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.StepDeterminism);
        try
        {
            var a = Rollout(env, options);
            var b = Rollout(env, options);
            for (int t = 0; t < Math.Min(a.Count, b.Count); t++)
            {
                var (oa, ra, ta, ua) = a[t];
                var (ob, rb, tb, ub) = b[t];
                string? what = !env.ObservationSpace.ValueEquals(oa, ob) ? $"observation ({EnvContracts.Show(oa)} vs {EnvContracts.Show(ob)})"
                    : BitConverter.DoubleToInt64Bits(ra) != BitConverter.DoubleToInt64Bits(rb) ? $"reward ({ra} vs {rb})"
                    : ta != tb || ua != ub ? $"flags (terminated {ta}/{tb}, truncated {ua}/{ub})"
                    : null;
                if (what is not null)
                {
                    report.Add(EnvContracts.StepDeterminism, CheckSeverity.Error,
                        $"two rollouts from Reset(seed: {options.Seed}) with the same actions differ at step {t} in {what}; draw all randomness from the seeded generator");
                    return;
                }
            }
            if (a.Count != b.Count)
                report.Add(EnvContracts.StepDeterminism, CheckSeverity.Error, $"two rollouts with the same seed and actions ended after {a.Count} and {b.Count} steps");
        }
        catch (Exception e)
        {
            report.Add(EnvContracts.StepDeterminism, CheckSeverity.Error, $"a rollout threw {e.GetType().Name}: {e.Message}");
        }
    }

    private static List<(TObs Obs, double Reward, bool Terminated, bool Truncated)> Rollout<TObs, TAct>(IEnv<TObs, TAct> env, EnvCheckOptions options)
    {
        var rng = new Random(options.Seed + 1);
        var steps = new List<(TObs, double, bool, bool)>();
        var first = env.Reset(options.Seed).Observation;
        steps.Add((env.ObservationSpace.Clone(first), 0, false, false));
        for (int t = 0; t < options.Steps; t++)
        {
            var s = env.Step(env.ActionSpace.Sample(rng));
            steps.Add((env.ObservationSpace.Clone(s.Observation), s.Reward, s.Terminated, s.Truncated));
            if (s.Terminated || s.Truncated)
                break;
        }
        return steps;
    }

    private static bool CheckGoalObservationKeys<TAct>(IEnv<DictValue, TAct> env, IGoalEnv goal, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.GoalObservationKeys);
        if (env.ObservationSpace is not DictSpace dict)
        {
            report.Add(EnvContracts.GoalObservationKeys, CheckSeverity.Error, $"a goal env needs a Dict observation space, it has {env.ObservationSpace.Kind}");
            return false;
        }
        bool ok = true;
        foreach (string key in new[] { GoalObservation.ObservationKey, GoalObservation.AchievedGoalKey, GoalObservation.DesiredGoalKey })
        {
            int i = dict.IndexOf(key);
            if (i < 0)
            {
                report.Add(EnvContracts.GoalObservationKeys, CheckSeverity.Error, $"goal observation has no \"{key}\" (keys: {string.Join(", ", dict.Keys)})");
                ok = false;
            }
            else if (dict.Spaces[i] is not Box<double> box)
            {
                report.Add(EnvContracts.GoalObservationKeys, CheckSeverity.Error, $"goal observation \"{key}\" must be a float64 Box, it is {dict.Spaces[i].ToJson()}");
                ok = false;
            }
            else if (key != GoalObservation.ObservationKey && box.Size != goal.GoalDimension)
            {
                report.Add(EnvContracts.GoalObservationKeys, CheckSeverity.Error, $"\"{key}\" has {box.Size} elements but GoalDimension is {goal.GoalDimension}");
                ok = false;
            }
        }
        return ok;
    }

    private static void CheckComputeReward<TAct>(IEnv<DictValue, TAct> env, IGoalEnv goal, EnvCheckOptions options, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.GoalComputeReward);
        try
        {
            int g = goal.GoalDimension;
            var rng = new Random(options.Seed + 2);
            var achieved = new List<double>();
            var desired = new List<double>();
            var infos = new List<Info>();
            var rewards = new List<double>();
            env.Reset(options.Seed);
            for (int t = 0; t < options.Steps; t++)
            {
                var s = env.Step(env.ActionSpace.Sample(rng));
                achieved.AddRange(s.Observation.AchievedGoal());
                desired.AddRange(s.Observation.DesiredGoal());
                infos.Add(s.Info.Clone());
                rewards.Add(s.Reward);
                if (s.Terminated || s.Truncated)
                    env.Reset();
            }
            var batch = new double[rewards.Count];
            double[] achievedRows = [.. achieved], desiredRows = [.. desired];
            goal.ComputeReward(achievedRows, desiredRows, infos.ToArray(), batch);
            for (int i = 0; i < batch.Length; i++)
            {
                if (BitConverter.DoubleToInt64Bits(batch[i]) != BitConverter.DoubleToInt64Bits(rewards[i]))
                {
                    report.Add(EnvContracts.GoalComputeReward, CheckSeverity.Error,
                        $"ComputeReward over the batch of {batch.Length} gives {batch[i]} for step {i}, but Step returned {rewards[i]}");
                    return;
                }
            }
            var one = new double[1];
            for (int i = 0; i < batch.Length; i++)
            {
                goal.ComputeReward(achievedRows.AsSpan(i * g, g), desiredRows.AsSpan(i * g, g), [infos[i]], one);
                if (BitConverter.DoubleToInt64Bits(one[0]) != BitConverter.DoubleToInt64Bits(batch[i]))
                {
                    report.Add(EnvContracts.GoalComputeReward, CheckSeverity.Error,
                        $"ComputeReward of step {i} alone gives {one[0]} but {batch[i]} inside a batch; rewards must not depend on the other rows");
                    return;
                }
            }
        }
        catch (Exception e)
        {
            report.Add(EnvContracts.GoalComputeReward, CheckSeverity.Error, $"ComputeReward threw {e.GetType().Name}: {e.Message}");
        }
    }

    private static void CheckRender<TObs, TAct>(IEnv<TObs, TAct> env, EnvCheckReport report)
    {
        report.MarkChecked(EnvContracts.Render);
        try
        {
            var frame = env.Render();
            switch (env.RenderMode)
            {
                case RenderMode.RgbArray when frame is null:
                    report.Add(EnvContracts.Render, CheckSeverity.Error, "render mode is RgbArray but Render returned null");
                    break;
                case RenderMode.RgbArray when frame.Width <= 0 || frame.Height <= 0 || frame.Rgb is null || frame.Rgb.Length != frame.Width * frame.Height * 3:
                    report.Add(EnvContracts.Render, CheckSeverity.Error,
                        $"Render returned a {frame.Width}x{frame.Height} frame with {frame.Rgb?.Length ?? 0} bytes; expected width*height*3");
                    break;
                case RenderMode.None when frame is not null:
                    report.Add(EnvContracts.Render, CheckSeverity.Error, "render mode is None but Render returned a frame");
                    break;
            }
        }
        catch (Exception e)
        {
            report.Add(EnvContracts.Render, CheckSeverity.Error, $"Render threw {e.GetType().Name}: {e.Message}");
        }
    }
}
