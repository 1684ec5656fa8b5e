using System.CommandLine;
using RobotBridge.Cli.Composition;
using RobotBridge.Gym.Registration;
using RobotBridge.Learning.Training;

namespace RobotBridge.Cli.Commands;

/// <summary>`robotbridge eval POLICY ENV --episodes N [--robot R …]`: success rate with a 95% Wilson
/// interval, on the env the policy trained on or on each <c>--robot</c> in turn over the same seeded episodes.</summary>
internal static class EvalCommand
{
    public const int InputError = 1;

    /// <summary>Exit code when the robot could not start an episode (stopped, or its world refused the set-up): the
    /// episodes run so far are printed.</summary>
    public const int EndedEarly = 3;

    public static Command Create()
    {
        var policy = new Argument<string>("POLICY") { Description = "Policy file written by robotbridge train (policy.rbpolicy)" }.InputFile();
        var env = new Argument<string>("ENV") { Description = "Registered env id" };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to run", DefaultValueFactory = _ => 100 }.Range(1, 1_000_000);
        var seed = new Option<int>("--seed") { Description = "Seed of the first episode's reset", DefaultValueFactory = _ => 12345 };
        var robots = new Option<string[]>("--robot")
        {
            Description = "Fetch tasks: where to run, repeatable, the same seeded episodes on each: bare (the twin, no supervisor, latency or noise), " +
                "sim (the twin behind the safety supervisor, as deploy --robot sim), ws://HOST:PORT (a Fetch or robotbridge serve). Default: the env options the policy trained with",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("eval",
            "Evaluate a policy: success rate over N episodes with a 95% confidence interval (Wilson).\n" +
            "Example: robotbridge eval runs/FetchReach-v4-sac-her/policy.rbpolicy FetchReach-v4 --episodes 100\n" +
            "         robotbridge eval policies/FetchReachDeploy-v1.rbpolicy FetchReachDeploy-v1 --robot bare --robot sim --robot ws://localhost:9090");
        command.Arguments.Add(policy);
        command.Arguments.Add(env);
        command.Options.Add(episodes);
        command.Options.Add(seed);
        var envOptions = new Option<string[]>("--env-option")
        {
            Description = "With --robot: KEY=VALUE env option on top of each robot's, repeatable (e.g. object_tracker=camera, arm_posture=elbow-out)",
        };
        command.Options.Add(robots);
        command.Options.Add(envOptions);
        command.SetAction(parse =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output, stderr = parse.InvocationConfiguration.Error;
            string envId = parse.GetValue(env)!;
            string[] where = parse.GetValue(robots) ?? [];
            string[] extra = parse.GetValue(envOptions) ?? [];
            if (!RobotChoice.TryParseOverlay(extra, out EnvOptions? overlay, out string? badOption))
            {
                stderr.WriteLine($"robotbridge eval: {badOption}");
                return Program.UsageError;
            }
            if (extra.Length > 0 && where.Length == 0)
            {
                stderr.WriteLine("robotbridge eval: --env-option needs a --robot to apply to (e.g. --robot sim)");
                return Program.UsageError;
            }
            // Every --robot is checked before the first episode runs: a typo in the third must not cost the first two's time.
            var adjustments = new List<(string Robot, Func<EnvOptions, EnvOptions> Adjust)>();
            foreach (string robot in where)
            {
                if (!RobotChoice.TryApply(robot, EnvOptions.Default, out _, out string? problem))
                {
                    stderr.WriteLine($"robotbridge eval: {problem}");
                    return Program.UsageError;
                }
                adjustments.Add((robot, options => OnRobot(robot, options, overlay)));
            }
            Action<string> warn = warning => stderr.WriteLine($"robotbridge eval: warning: {warning}");
            try
            {
                CliEnvironments.EnsureRegistered();
                if (adjustments.Count == 0)
                {
                    var result = PolicyTraining.Evaluate(parse.GetValue(policy)!, envId, parse.GetValue(episodes), parse.GetValue(seed), warn);
                    stdout.WriteLine($"{envId}: {result}");
                    return result.EndedEarly is null ? 0 : EndedEarly;
                }
                int exit = 0;
                foreach (var (robot, adjust) in adjustments)
                {
                    var (result, counters) = PolicyTraining.EvaluateOn(parse.GetValue(policy)!, envId, parse.GetValue(episodes), parse.GetValue(seed), adjust, warn);
                    string supervisor = counters is { } c
                        ? $"; supervisor retimed or clamped {c.Clamped} of {c.Forwarded} commands ({100.0 * c.Clamped / Math.Max(c.Forwarded, 1):F2} %)"
                        : "; no supervisor";
                    stdout.WriteLine($"{envId} on {robot}: {result}{supervisor}");
                    if (result.EndedEarly is not null)
                    {
                        exit = EndedEarly;
                    }
                }
                return exit;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException
                                          or RobotBridge.Learning.Envs.PolicyEnvMismatchException or RobotBridge.Gym.EnvRegistrationException
                                          or RobotBridge.Gym.InvalidEnvArgumentException)
            {
                stderr.WriteLine($"robotbridge eval: {e.Message}");
                return InputError;
            }
        });
        return command;
    }

    /// <summary>The policy's env options moved onto <paramref name="robot"/>, then <paramref name="overlay"/> on top.</summary>
    private static EnvOptions OnRobot(string robot, EnvOptions options, EnvOptions overlay)
    {
        EnvOptions adjusted = RobotChoice.TryApply(robot, options, out EnvOptions? onRobot, out _) ? onRobot : options;
        foreach (var (key, value) in overlay.Settings)
        {
            adjusted = adjusted.With(key, value);
        }
        return adjusted;
    }
}
