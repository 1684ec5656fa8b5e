using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Policies;

namespace RobotBridge.Learning.Envs;

/// <summary>A policy file was trained for other observation or action spaces than the env offers.</summary>
public sealed class PolicyEnvMismatchException(string message) : Exception(message)
{
    /// <summary>Throws unless the env's observation and action spaces equal those the policy was trained on.</summary>
    public static void ThrowIfMismatched(PolicySpec spec, IEnv env, string envName)
    {
        var problems = new List<string>();
        Compare("observation", spec.ObservationSpaceJson, env.ObservationSpace, problems);
        Compare("action", spec.ActionSpaceJson, env.ActionSpace, problems);
        if (problems.Count > 0)
        {
            throw new PolicyEnvMismatchException(
                $"policy trained on '{spec.EnvId}' does not fit env '{envName}':\n  " + string.Join("\n  ", problems) +
                "\nTrain a policy on this env (robotbridge train) or pick the env the policy was trained on.");
        }
    }

    private static void Compare(string what, string trainedJson, Space actual, List<string> problems)
    {
        Space trained;
        try
        {
            trained = Space.FromJson(trainedJson);
        }
        catch (Exception e)
        {
            problems.Add($"the policy's {what} space cannot be read ({e.Message})");
            return;
        }
        if (!trained.Equals(actual))
            problems.Add($"{what} space differs: policy expects {trainedJson}, env has {actual.ToJson()}");
    }
}
