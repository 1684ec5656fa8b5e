using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Policies;

namespace RobotBridge.Learning.Envs;

/// <summary>
/// Turns env observations into what a policy reads, and env spaces into a <see cref="PolicySpec"/>.
/// Goal envs (Dict with observation / desired_goal [/ image]) give the vector observation ++ desired_goal;
/// a flat Box observation is the vector itself.
/// </summary>
public static class PolicyInputs
{
    /// <summary>Key of the camera image in goal-env observations that carry one.</summary>
    public const string ImageKey = "image";

    /// <summary>Normaliser standard-deviation floor of new policies (the OpenAI baselines' HER value).</summary>
    public const double DefaultNormalizerMinStd = 0.01;

    /// <summary>A spec describing what a policy for <paramref name="env"/> reads and writes.</summary>
    public static PolicySpec SpecFor(IEnv env, string envId, string algorithm, int[] hiddenSizes, IReadOnlyDictionary<string, string>? envSettings = null) =>
        SpecFor(env.ObservationSpace, env.ActionSpace, envId, algorithm, hiddenSizes, envSettings);

    /// <summary>A spec for an env with these (single-env) spaces, e.g. a vector env's.</summary>
    public static PolicySpec SpecFor(Space observationSpace, Space actionSpace, string envId, string algorithm, int[] hiddenSizes,
        IReadOnlyDictionary<string, string>? envSettings = null)
    {
        if (actionSpace is not Box<float> action)
            throw new NotSupportedException($"env '{envId}' has action space {actionSpace.ToJson()}; policies here act in a float32 Box");
        string[] keys;
        int vectorSize;
        string? imageKey = null;
        ImageShape? image = null;
        switch (observationSpace)
        {
            case DictSpace dict:
                keys = [GoalObservation.ObservationKey, GoalObservation.DesiredGoalKey];
                foreach (string k in keys)
                    if (dict.IndexOf(k) < 0) throw new NotSupportedException($"env '{envId}' observation has no \"{k}\" entry; keys are {string.Join(", ", dict.Keys)}");
                vectorSize = keys.Sum(k => dict[k].FlatDimension);
                if (dict.IndexOf(ImageKey) >= 0 && dict[ImageKey] is Box<byte> { Shape.Count: 3 } img)
                {
                    imageKey = ImageKey;
                    image = new ImageShape(img.Shape[0], img.Shape[1], img.Shape[2]);
                }
                break;
            case Box<double> or Box<float>:
                keys = [];
                vectorSize = observationSpace.FlatDimension;
                break;
            default:
                throw new NotSupportedException($"env '{envId}' has observation space {observationSpace.ToJson()}; supported: Box, or a goal Dict");
        }
        return new PolicySpec
        {
            VectorKeys = keys,
            VectorSize = vectorSize,
            ImageKey = imageKey,
            Image = image,
            ActionSize = action.Size,
            ActionLow = action.Low.ToArray(),
            ActionHigh = action.High.ToArray(),
            HiddenSizes = hiddenSizes,
            NormalizerMinStd = DefaultNormalizerMinStd,
            EnvId = envId,
            ObservationSpaceJson = observationSpace.ToJson(),
            ActionSpaceJson = actionSpace.ToJson(),
            Algorithm = algorithm,
            EnvSettings = envSettings is { Count: > 0 } ? new Dictionary<string, string>(envSettings, StringComparer.Ordinal) : null,
        };
    }

    /// <summary>Writes the policy's vector input for one observation (Dict or Box value).</summary>
    public static void WriteVector(PolicySpec spec, object observation, Span<float> vector)
    {
        if (spec.VectorKeys.Length == 0)
        {
            CopyFlat(observation, vector[..spec.VectorSize]);
            return;
        }
        var dict = observation as DictValue ?? throw new ArgumentException($"policy reads dict keys {string.Join(", ", spec.VectorKeys)} but the observation is {observation.GetType().Name}");
        int offset = 0;
        foreach (string key in spec.VectorKeys)
        {
            offset += CopyFlat(dict[key], vector[offset..]);
        }
        if (offset != spec.VectorSize) throw new ArgumentException($"observation gives {offset} vector values; the policy reads {spec.VectorSize}");
    }

    /// <summary>The camera image of an observation, or empty for vector-only policies.</summary>
    public static ReadOnlySpan<byte> Image(PolicySpec spec, object observation) =>
        spec.ImageKey is null ? default : ((DictValue)observation).Get<byte[]>(spec.ImageKey);

    private static int CopyFlat(object value, Span<float> destination)
    {
        switch (value)
        {
            case double[] d:
                for (int i = 0; i < d.Length; i++) destination[i] = (float)d[i];
                return d.Length;
            case float[] f:
                f.CopyTo(destination);
                return f.Length;
            default:
                throw new ArgumentException($"observation entry of type {value.GetType().Name} is not a float or double vector");
        }
    }
}
