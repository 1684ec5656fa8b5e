using System.CommandLine;
using RobotBridge.Cli.Composition;
using RobotBridge.Gym;
using RobotBridge.Gym.Checking;
using RobotBridge.Gym.Registration;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// `robotbridge check-env`: runs the env checker on a registered env id and prints each contract
/// clause that fails (exit 1), or lists the registered ids.
/// </summary>
internal static class CheckEnvCommand
{
    /// <summary>Exit code when the env breaks a contract clause or cannot be made.</summary>
    public const int CheckFailed = 1;

    public static Command Create()
    {
        var id = new Argument<string?>("id") { Description = "Env id, e.g. PointMassGoal-v0", Arity = ArgumentArity.ZeroOrOne };
        var set = new Option<string[]>("--set")
        {
            Description = "Env setting key=value passed to the env's factory (repeatable), e.g. --set image_size=32",
            AllowMultipleArgumentsPerToken = false,
        };
        var seed = new Option<int>("--seed") { Description = "Seed for resets and sampled actions", DefaultValueFactory = _ => 42 };
        var steps = new Option<int>("--steps") { Description = "Steps per rollout", DefaultValueFactory = _ => 40 }.Range(1, 1_000_000);
        var list = new Option<bool>("--list") { Description = "List the registered env ids instead" };
        var command = new Command("check-env",
            "Check that an env keeps the Gym contract (spaces, reset/step, seeding determinism, goal rewards, rendering).\n" +
            "Examples: robotbridge check-env PointMassGoal-v0\n" +
            "          robotbridge check-env PointMassGoal-v0 --set image_size=32 --steps 100\n" +
            "          robotbridge check-env --list");
        command.Arguments.Add(id);
        command.Options.Add(set);
        command.Options.Add(seed);
        command.Options.Add(steps);
        command.Options.Add(list);
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            var registry = EnvComposition.Registry; // default registry plus the Fetch tasks on every body
            if (parse.GetValue(list))
            {
                foreach (var spec in registry.Specs)
                    output.WriteLine($"{spec.Id,-32} {(spec.MaxEpisodeSteps is int n ? $"{n} steps" : "no limit"),-10} {spec.Description}");
                return 0;
            }
            string? envId = parse.GetValue(id);
            if (string.IsNullOrEmpty(envId))
            {
                error.WriteLine("robotbridge check-env: give an env id (see robotbridge check-env --list)");
                return CheckFailed;
            }
            if (parse.GetValue(steps) <= 0)
            {
                error.WriteLine($"robotbridge check-env: --steps must be positive, got {parse.GetValue(steps)}");
                return CheckFailed;
            }
            try
            {
                var options = EnvOptions.Parse(parse.GetValue(set) ?? []) with { DisableEnvChecker = true };
                using var env = registry.Make(envId, options);
                var checkOptions = new EnvCheckOptions { Seed = parse.GetValue(seed), Steps = parse.GetValue(steps) };
                if (env.SafetyGuard() is { Robot.Clock.IsVirtual: false })
                {
                    // A real robot (or a twin served over rosbridge) runs on the wall clock: the same seed
                    // cannot replay the same trajectory there, so those clauses would fail on a correct env.
                    checkOptions = checkOptions with
                    {
                        SkipDeterminism = true,
                        SkipDeterminismReason = "the body runs on a wall clock (a real robot or a served twin): the same seed cannot give the same trajectory",
                    };
                }
                var report = EnvChecker.Check(env, checkOptions);
                output.WriteLine(report.ToString());
                return report.Passed ? 0 : CheckFailed;
            }
            catch (Exception e) when (e is EnvRegistrationException or ArgumentException or EnvContractException or FormatException)
            {
                error.WriteLine($"robotbridge check-env: {e.Message}");
                return CheckFailed;
            }
        });
        return command;
    }
}
