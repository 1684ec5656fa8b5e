using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Checking;

/// <summary>Names of the env contract's clauses, as reported by <see cref="EnvChecker"/> and
/// <see cref="EnvContractException"/>, and the single-value checks shared by both.</summary>
public static class EnvContracts
{
    public const string Spaces = "spaces";
    public const string SpaceSample = "spaces.sample-in-space";
    public const string SpaceJson = "spaces.json-round-trip";
    public const string ResetObservation = "reset.observation-in-space";
    public const string ResetInfo = "reset.info";
    public const string ResetSeedDeterminism = "reset.seed-determinism";
    public const string StepObservation = "step.observation-in-space";
    public const string StepReward = "step.reward-finite";
    public const string StepInfo = "step.info";
    public const string StepDeterminism = "step.determinism";
    public const string StepException = "step.no-exception";
    public const string StepActionUnchanged = "step.action-unchanged";
    public const string ActionSpaceNormalized = "action-space.normalized";
    public const string GoalObservationKeys = "goal.observation-keys";
    public const string GoalComputeReward = "goal.compute-reward";
    public const string Render = "render";

    internal static void RequireObservationInSpace<T>(Space<T> space, T observation, string contract, string call)
    {
        if (observation is null)
            throw new EnvContractException(contract, $"{call} returned a null observation");
        if (!space.Contains(observation))
            throw new EnvContractException(contract, $"{call} returned an observation outside the observation space: {WhyNotIn(space, observation)}");
    }

    internal static void RequireInfo(Info? info, string contract, string call)
    {
        if (info is null)
            throw new EnvContractException(contract, $"{call} returned a null info; return an (empty) Info");
    }

    internal static void RequireFiniteReward(double reward)
    {
        if (!double.IsFinite(reward))
            throw new EnvContractException(StepReward, $"Step returned reward {reward}; rewards must be finite");
    }

    /// <summary>A short reason why <paramref name="value"/> is not in <paramref name="space"/>.</summary>
    public static string WhyNotIn(Space space, object? value)
    {
        switch (space, value)
        {
            case (_, null):
                return "value is null";
            case (Box<double> b, double[] v):
                return b.Explain(v) ?? "in space";
            case (Box<float> b, float[] v):
                return b.Explain(v) ?? "in space";
            case (Box<byte> b, byte[] v):
                return b.Explain(v) ?? "in space";
            case (DictSpace d, DictValue v):
                for (int i = 0; i < d.Count; i++)
                {
                    int j = v.IndexOf(d.Keys[i]);
                    if (j < 0)
                        return $"key \"{d.Keys[i]}\" is missing (value has {string.Join(", ", v.Keys)})";
                    if (!d.Spaces[i].ContainsObject(v[j]))
                        return $"\"{d.Keys[i]}\" {WhyNotIn(d.Spaces[i], v[j])}";
                }
                return v.Count != d.Count ? $"value has keys {string.Join(", ", v.Keys)}, space has {string.Join(", ", d.Keys)}" : "keys are out of order";
            default:
                return space.ValueType.IsInstanceOfType(value)
                    ? $"{Describe(value)} is not in {space.ToJson()}"
                    : $"value is a {value.GetType().Name}, the space holds {space.ValueType.Name}";
        }
    }

    private static string Describe(object value) => value is Array a ? $"{a.GetType().GetElementType()!.Name}[{a.Length}]" : value.ToString() ?? "?";

    /// <summary>A value for a message: arrays show their first elements, Dict values their children.</summary>
    public static string Show(object? value) => value switch
    {
        null => "null",
        Array a => "[" + string.Join(", ", a.Cast<object>().Take(8).Select(x => Convert.ToString(x, System.Globalization.CultureInfo.InvariantCulture))) + (a.Length > 8 ? ", ..." : "") + "]",
        _ => value.ToString() ?? "?",
    };
}
