using System.CommandLine;
using System.Net;
using RobotBridge.Distributed.Hosting;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Training;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// `robotbridge worker --learner HOST:PORT`: a rollout worker joining a distributed training run
/// (docs/distributed.md). It builds the twins the learner names, collects episodes with the learner's
/// newest policy and submits them until the learner says the run is complete.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var learner = new Option<string>("--learner") { Description = "The learner's Orleans gateway, HOST:PORT (train --workers prints it)", Required = true }.Endpoint();
        var envs = new Option<int>("--envs") { Description = "Twins this worker steps side by side (one batched policy pass for all)", DefaultValueFactory = _ => 1 }.Range(1, 64);
        var slot = new Option<int>("--slot") { Description = "Slot to take (-1: the lowest free one; train --workers gives its own processes theirs)", DefaultValueFactory = _ => -1 }.Range(-1, 10_000);
        var name = new Option<string?>("--name") { Description = "Name in the run's workers.csv (default: this host's name)" };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds to keep trying to reach the learner", DefaultValueFactory = _ => 30.0 }.Range(0.1, 3600, "s");
        var command = new Command("worker",
            "Join a distributed training run as a rollout worker (see docs/distributed.md).\n" +
            "Example: robotbridge worker --learner 10.0.0.5:30000 --envs 2");
        foreach (var o in new Option[] { learner, envs, slot, name, connectTimeout }) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            var endpoint = OptionRules.ParseEndpoint(parse.GetValue(learner)!)!;
            CliEnvironments.EnsureRegistered();
            // A worker only collects training episodes: on a supervised twin its envs go on past a safety stop.
            var stops = new SupervisorStopTally();
            var outcome = await WorkerClient.RunAsync(endpoint, (id, settings) => PolicyTraining.MakeTrainingEnv<DictValue>(id, EnvOptions.Of(settings), stops),
                parse.GetValue(envs), parse.GetValue(slot),
                parse.GetValue(name) ?? Dns.GetHostName(), TimeSpan.FromSeconds(parse.GetValue(connectTimeout)),
                line => stdout.WriteLine($"robotbridge worker: {line}"), cancel).ConfigureAwait(false);
            string stopped = stops.Watching ? $", {stops.Stops}" : "";
            stdout.WriteLine($"robotbridge worker: slot {outcome.Ticket.Slot} (generation {outcome.Ticket.Generation}) stopped after {outcome.Episodes} episodes, {outcome.Steps} steps, policy version {outcome.PolicyVersion}{stopped}: {outcome.Reason}");
            return outcome.Completed || cancel.IsCancellationRequested ? 0 : CliFailure.InputError;
        });
        return command;
    }

}
