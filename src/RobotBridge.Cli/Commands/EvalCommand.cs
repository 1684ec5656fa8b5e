using System.CommandLine;
using RobotBridge.Learning.Training;

namespace RobotBridge.Cli.Commands;

/// <summary>`robotbridge eval POLICY ENV --episodes N`: success rate with a 95% Wilson interval.</summary>
internal static class EvalCommand
{
    public const int InputError = 1;

    public static Command Create()
    {
        var policy = new Argument<string>("POLICY") { Description = "Policy file written by robotbridge train (policy.rbpolicy)" }.InputFile();
        var env = new Argument<string>("ENV") { Description = "Registered env id" };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to run", DefaultValueFactory = _ => 100 }.Range(1, 1_000_000);
        var seed = new Option<int>("--seed") { Description = "Seed of the first episode's reset", DefaultValueFactory = _ => 12345 };
        var command = new Command("eval",
            "Evaluate a policy: success rate over N episodes with a 95% confidence interval (Wilson).\n" +
            "Example: robotbridge eval runs/FetchReach-v4-sac-her/policy.rbpolicy FetchReach-v4 --episodes 100");
        command.Arguments.Add(policy);
        command.Arguments.Add(env);
        command.Options.Add(episodes);
        command.Options.Add(seed);
        command.SetAction(parse =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output, stderr = parse.InvocationConfiguration.Error;
            try
            {
                CliEnvironments.EnsureRegistered();
                var result = PolicyTraining.Evaluate(parse.GetValue(policy)!, parse.GetValue(env)!, parse.GetValue(episodes), parse.GetValue(seed),
                    warning => stderr.WriteLine($"robotbridge eval: warning: {warning}"));
                stdout.WriteLine($"{parse.GetValue(env)}: {result}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException
                                          or RobotBridge.Learning.Envs.PolicyEnvMismatchException or RobotBridge.Gym.EnvRegistrationException)
            {
                stderr.WriteLine($"robotbridge eval: {e.Message}");
                return InputError;
            }
        });
        return command;
    }
}
