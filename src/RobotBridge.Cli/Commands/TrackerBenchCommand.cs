using System.CommandLine;
using RobotBridge.Cli.Bench;
using RobotBridge.Cli.Composition;
using RobotBridge.Gym.Registration;
using RobotBridge.Learning.Policies;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Cli.Commands;

/// <summary>`robotbridge bench tracker POLICY ENV`: the policy's success with ground truth and with the
/// camera tracker on the same seeded episodes, on each <c>--robot</c> (issue 18's camera-vs-truth figure).</summary>
internal static class TrackerBenchCommand
{
    private static readonly string[] Trackers = ["truth", "camera"];

    public static Command Create()
    {
        var policy = new Argument<string>("POLICY") { Description = "Policy file written by robotbridge train (policy.rbpolicy)" }.InputFile();
        var env = new Argument<string>("ENV") { Description = "Object task env id (e.g. FetchPushDeploy-v1)" };
        var episodes = new Option<int>("--episodes") { Description = "Episodes per tracker", DefaultValueFactory = _ => 50 }.Range(1, 100_000);
        var seed = new Option<int>("--seed") { Description = "Seed of the first episode; episode i is reset with seed + i on both trackers", DefaultValueFactory = _ => 12345 };
        var robots = new Option<string[]>("--robot") { Description = "Where to run, repeatable: bare, sim, ws://HOST:PORT (robotbridge serve: the camera over rosbridge). Default: sim" };
        var envOptions = new Option<string[]>("--env-option") { Description = "KEY=VALUE env option on top of each robot's, repeatable (e.g. arm_posture=elbow-out)" };
        var command = new Command("tracker",
            "A policy's success with the object from ground truth vs from the camera tracker (AprilTag), on the same seeded episodes; " +
            "also the share of steps with a freshly measured object.\n" +
            "Example: robotbridge bench tracker policies/FetchPushDeploy-v1.rbpolicy FetchPushDeploy-v1 --episodes 50 --robot sim");
        command.Arguments.Add(policy);
        command.Arguments.Add(env);
        command.Options.Add(episodes);
        command.Options.Add(seed);
        command.Options.Add(robots);
        command.Options.Add(envOptions);
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output, error = parse.InvocationConfiguration.Error;
            string envId = parse.GetValue(env)!;
            string[] where = parse.GetValue(robots) is { Length: > 0 } given ? given : ["sim"];
            if (!RobotChoice.TryParseOverlay(parse.GetValue(envOptions) ?? [], out EnvOptions? overlay, out string? badOption))
            {
                error.WriteLine($"robotbridge bench tracker: {badOption}");
                return Program.UsageError;
            }
            foreach (string robot in where)
            {
                if (!RobotChoice.TryApply(robot, EnvOptions.Default, out _, out string? problem))
                {
                    error.WriteLine($"robotbridge bench tracker: {problem}");
                    return Program.UsageError;
                }
            }
            try
            {
                CliEnvironments.EnsureRegistered();
                using var loaded = PolicyFile.Load(parse.GetValue(policy)!, warning => error.WriteLine($"robotbridge bench tracker: warning: {warning}"));
                int n = parse.GetValue(episodes), first = parse.GetValue(seed);
                output.WriteLine($"{envId}, {n} episodes per tracker (seeds {first}..{first + n - 1}), policy {parse.GetValue(policy)}; " +
                    $"fresh = the observation's object pose at most {TrackerComparisonBench.FreshAge.TotalMilliseconds:F0} ms old (a carried pose counts: it is placed from the current joint state); load {File.ReadAllText("/proc/loadavg").Trim()}");
                output.WriteLine("success = as the env judges it (on the tracker's pose); on ground truth = the true object within the goal threshold at the last step; " +
                    $"phases by the true pose: in the gripper = the object's centre within {TrackerComparisonBench.HeldWithin * 100:F1} cm of the grip site, before = until the first such step");
                output.WriteLine("| robot | tracker | success | success on ground truth | starts the camera did not see (failed) | steps with a fresh pose | steps with a pose (fresh or held) | fresh before the grasp | fresh in the gripper | fresh after | camera answers: seen / held / hidden / carried / pushed / none |");
                output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
                foreach (string robot in where)
                {
                    RobotChoice.TryApply(robot, loaded.Spec.EnvOptions(), out EnvOptions? options, out _);
                    foreach (var (key, value) in overlay.Settings)
                    {
                        options = options!.With(key, value);
                    }
                    foreach (string tracker in Trackers)
                    {
                        var run = TrackerComparisonBench.Measure(loaded, envId, options!, tracker, n, first);
                        string stopped = run.StoppedBy is null ? "" : $" before a safety stop ended the run ({run.StoppedBy})";
                        output.WriteLine(FormattableString.Invariant(
                            $"| {robot} | {tracker} | {run.Successes}/{run.Episodes} = {100 * run.SuccessRate:F1} %{stopped} | {TruthSuccess(run)} | {run.UnseenStarts} | {run.FreshSteps}/{run.Steps} | {run.TrackedSteps}/{run.Steps} | ") +
                            FormattableString.Invariant($"{PhaseShare(run, TrackerComparisonBench.Phase.BeforeGrasp)} | {PhaseShare(run, TrackerComparisonBench.Phase.Held)} | {PhaseShare(run, TrackerComparisonBench.Phase.After)} | {Answers(run)} |"));
                    }
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException
                                          or RobotBridge.Learning.Envs.PolicyEnvMismatchException or RobotBridge.Gym.EnvRegistrationException
                                          or RobotBridge.Gym.InvalidEnvArgumentException or RobotBridge.Tasks.TaskResetException)
            {
                error.WriteLine($"robotbridge bench tracker: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static string Answers(TrackerComparisonBench.Run run) => run.Answers.Count == 0 ? "–"
        : string.Join(" / ", new[] { TrackerAnswer.Seen, TrackerAnswer.Held, TrackerAnswer.Hidden, TrackerAnswer.Carried, TrackerAnswer.Pushed, TrackerAnswer.None }
            .Select(a => run.Answers.GetValueOrDefault(a)));

    private static string TruthSuccess(TrackerComparisonBench.Run run) => run.TruthSuccesses is int n
        ? FormattableString.Invariant($"{n}/{run.Episodes} = {(run.Episodes == 0 ? 0 : 100.0 * n / run.Episodes):F1} %")
        : "–";

    private static string PhaseShare(TrackerComparisonBench.Run run, TrackerComparisonBench.Phase phase) =>
        run.Phases.TryGetValue(phase, out var count)
            ? FormattableString.Invariant($"{count.Fresh}/{count.Steps}{(count.Steps == 0 ? "" : $" ({100.0 * count.Fresh / count.Steps:F0} %)")}")
            : "–";
}
