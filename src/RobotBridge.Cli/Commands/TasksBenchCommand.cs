using System.CommandLine;
using RobotBridge.Cli.Bench;
using RobotBridge.Cli.Composition;
using RobotBridge.Gym.Registration;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Commands;

/// <summary>`robotbridge bench tasks`: Fetch task throughput on the twin and scripted success rates.</summary>
internal static class TasksBenchCommand
{
    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Env steps per throughput measurement", DefaultValueFactory = _ => 2000 }.Range(100, 10_000_000);
        var episodes = new Option<int>("--episodes") { Description = "Seeded episodes per scripted success rate (0 skips)", DefaultValueFactory = _ => 200 }.Range(0, 1_000_000);
        var command = new Command("tasks",
            "Fetch tasks on the twin: env steps/s (proprio and 84x84 camera, single env and 2 threaded workers) and the scripted controllers' success rates.\n" +
            "Example: robotbridge bench tasks --steps 2000 --episodes 200");
        var supervised = new Option<bool>("--supervised") { Description = "Also run the scripted controllers behind the safety supervisor (env option safety=true, as deploy runs)" };
        command.Options.Add(steps);
        command.Options.Add(episodes);
        var armMotion = new Option<string>("--arm-motion") { Description = "Env option arm_motion for the success rates and step lengths: direct (Gymnasium's quick arm) or streamed (within the Fetch's acceleration limits)", DefaultValueFactory = _ => "direct" };
        var maxSteps = new Option<int>("--max-steps") { Description = "Episode step limit for the success rates (default: the id's own, 50 for the v4 ids as Gymnasium's; the deployable family's Reach 50, the object tasks 150)" }.Range(1, 100_000);
        command.Options.Add(supervised);
        command.Options.Add(armMotion);
        command.Options.Add(maxSteps);
        var family = new Option<string>("--family") { Description = "v4 (Gymnasium's ids: throughput, scripted, random, step lengths) or deploy (the Fetch…Deploy-v1 ids: scripted on each --robot, supervisor counts, step lengths)", DefaultValueFactory = _ => "v4" };
        var robots = new Option<string[]>("--robot")
        {
            Description = "With --family deploy: where the scripted episodes run, repeatable: bare (the twin without supervisor or latency), sim (the family's defaults: supervised twin, measured latency), ws://HOST:PORT (a rosbridge robot, e.g. robotbridge serve). Default: bare and sim",
            AllowMultipleArgumentsPerToken = true,
        };
        var tracker = new Option<string>("--object-tracker") { Description = "With --family deploy: truth (default) or camera (the AprilTag tracker on the head camera, issue 18; the table reports the share of steps with a measured object)", DefaultValueFactory = _ => "truth" };
        command.Options.Add(family);
        command.Options.Add(robots);
        command.Options.Add(tracker);
        var envOptions = new Option<string[]>("--env-option") { Description = "With --family deploy: KEY=VALUE env option on top of each --robot's (e.g. latency=none, joint_noise=0), repeatable" };
        command.Options.Add(envOptions);
        var verbose = new Option<bool>("--failures") { Description = "With --family deploy: print each failed episode's goal and final state" };
        command.Options.Add(verbose);
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            var registry = EnvComposition.Registry;
            switch (parse.GetValue(family))
            {
                case "v4":
                    break;
                case "deploy":
                    return DeployFamily(parse, registry, parse.GetValue(episodes), parse.GetValue(maxSteps), parse.GetValue(robots), parse.GetValue(tracker)!, parse.GetValue(envOptions) ?? [], parse.GetValue(verbose));
                default:
                    parse.InvocationConfiguration.Error.WriteLine($"robotbridge bench tasks: --family \"{parse.GetValue(family)}\" is not one of: v4, deploy");
                    return Program.UsageError;
            }
            var motion = EnvOptions.Default.With(FetchEnvs.ArmMotionOption, parse.GetValue(armMotion)) with { MaxEpisodeSteps = parse.GetValue(maxSteps) is > 0 and int limit ? limit : FetchEnvs.MaxEpisodeSteps };
            try
            {
                FetchEnvs.ArmMotion(motion);
            }
            catch (RobotBridge.Gym.InvalidEnvArgumentException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"robotbridge bench tasks: {e.Message}");
                return Program.UsageError;
            }
            int n = Math.Max(100, parse.GetValue(steps));
            output.WriteLine($"Fetch tasks on the MuJoCo twin (lockstep), {Environment.ProcessorCount} cores, {n} random-action steps per figure");
            output.WriteLine("| task | proprio, 1 env | proprio, 2 workers | 84x84 camera, 1 env | 84x84 camera, 2 workers |");
            output.WriteLine("| --- | --- | --- | --- | --- |");
            foreach (FetchTaskKind kind in Enum.GetValues<FetchTaskKind>())
            {
                string id = $"Fetch{kind}-v4", camera = $"Fetch{kind}Camera-v4";
                output.WriteLine($"| {kind} | {TasksBench.StepsPerSecond(registry, id, n):F0} steps/s | {TasksBench.VectorStepsPerSecond(registry, id, 2, n):F0} steps/s " +
                    $"| {TasksBench.StepsPerSecond(registry, camera, n / 4):F0} steps/s | {TasksBench.VectorStepsPerSecond(registry, camera, 2, n / 4):F0} steps/s |");
            }
            int count = parse.GetValue(episodes);
            if (count > 0)
            {
                output.WriteLine();
                output.WriteLine($"Scripted proportional controllers, arm_motion={parse.GetValue(armMotion)}, {motion.MaxEpisodeSteps}-step episodes, {count} seeded episodes (seeds 0..{count - 1}) each");
                output.WriteLine("| task | success |");
                output.WriteLine("| --- | --- |");
                foreach (FetchTaskKind kind in Enum.GetValues<FetchTaskKind>())
                {
                    output.WriteLine(SuccessRow(kind, TasksBench.Scripted(registry, $"Fetch{kind}-v4", kind, count, motion)));
                }
                if (parse.GetValue(supervised))
                {
                    output.WriteLine();
                    output.WriteLine($"The same behind the safety supervisor (safety=true, the shipped fetch-safety.json), {count} seeded episodes each");
                    output.WriteLine("| task | success | goals the supervisor retimed or clamped |");
                    output.WriteLine("| --- | --- | --- |");
                    var safe = motion.With(RobotBridge.Sim.Tasks.SimFetchBodyProvider.SafetyOption, true);
                    foreach (FetchTaskKind kind in Enum.GetValues<FetchTaskKind>())
                    {
                        output.WriteLine(SuccessRow(kind, TasksBench.Scripted(registry, $"Fetch{kind}-v4", kind, count, safe)));
                    }
                }

                output.WriteLine();
                output.WriteLine($"Uniformly random actions, {count} seeded episodes each (what exploration finds before any learning)");
                output.WriteLine("| task | success | object moved > 1 cm |");
                output.WriteLine("| --- | --- | --- |");
                foreach (FetchTaskKind kind in Enum.GetValues<FetchTaskKind>())
                {
                    var (ok, moved, total) = TasksBench.RandomActions(registry, $"Fetch{kind}-v4", count, motion);
                    string movedText = kind == FetchTaskKind.Reach ? "no object" : $"{moved}/{total} = {100.0 * moved / total:F1} %";
                    output.WriteLine($"| {kind} | {ok}/{total} = {100.0 * ok / total:F1} % | {movedText} |");
                }
            }

            WriteDisplacementTable(output, "Grip displacement per step under a sustained full action (mm, mean of steps 3-10; the base frame's x points away from the robot)",
                registry, "-v4", motion);
            return 0;
        });
        return command;
    }

    /// <summary>The deployable family: scripted success per robot, what the supervisor did, how far a full
    /// action moves the grip site per step.</summary>
    private static int DeployFamily(ParseResult parse, EnvRegistry registry, int episodes, int maxSteps, string[]? robotValues, string tracker, string[] extra, bool failures)
    {
        TextWriter output = parse.InvocationConfiguration.Output, error = parse.InvocationConfiguration.Error;
        string[] robots = robotValues is { Length: > 0 } ? robotValues : ["bare", "sim"];
        var runs = new List<(string Name, EnvOptions Options)>();
        foreach (string robot in robots)
        {
            if (!RobotChoice.TryParse(robot, out EnvOptions? options, out string? problem))
            {
                error.WriteLine($"robotbridge bench tasks: {problem}");
                return Program.UsageError;
            }
            if (tracker is not ("truth" or "camera"))
            {
                error.WriteLine($"robotbridge bench tasks: --object-tracker \"{tracker}\" is not one of: truth, camera");
                return Program.UsageError;
            }
            if (!RobotChoice.TryParseOverlay(extra, out EnvOptions? overlay, out string? badOption))
            {
                error.WriteLine($"robotbridge bench tasks: {badOption}");
                return Program.UsageError;
            }
            foreach (var (key, value) in overlay.Settings)
            {
                options = options.With(key, value);
            }
            runs.Add((robot, maxSteps > 0 ? options with { MaxEpisodeSteps = maxSteps } : options));
        }
        output.WriteLine($"Deployable family (Fetch…{FetchEnvs.DeployableSuffix}: target = measured grip + action × {FetchTaskSpec.DeployableActionReach * 100:F0} cm (Reach {FetchTaskSpec.DeployableReachActionReach * 100:F0} cm), streamed arm, " +
            $"{FetchTaskSpec.DeployablePeriod.TotalMilliseconds:F0} ms steps), scripted controllers, {(maxSteps > 0 ? $"{maxSteps}-step episodes" : "each id's episode length")}, {episodes} seeded episodes (seeds 0..{episodes - 1}) each, object tracker {tracker}");
        output.WriteLine("| task | robot | success | commands retimed or clamped by the supervisor | steps with a measured object |");
        output.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (FetchTaskKind kind in Enum.GetValues<FetchTaskKind>())
        {
            string id = $"Fetch{kind}{FetchEnvs.DeployableSuffix}";
            foreach (var (name, options) in runs)
            {
                var run = TasksBench.Scripted(registry, id, kind, episodes, kind == FetchTaskKind.Reach ? options : options.With(ObjectTrackerChoice.Option, tracker), failures ? output : null);
                string success = run.StoppedBy is null
                    ? $"{run.Successes}/{run.Episodes} = {100.0 * run.Successes / Math.Max(run.Episodes, 1):F1} %"
                    : $"{run.Successes}/{run.Episodes} before a safety stop ended the run ({run.StoppedBy})";
                string counts = run.Supervisor is { } c ? $"{c.Clamped} of {c.Forwarded} ({100.0 * c.Clamped / Math.Max(c.Forwarded, 1):F2} %)" : "no supervisor";
                string seen = kind == FetchTaskKind.Reach ? "no object" : $"{run.ObjectTrackedSteps}/{run.Steps}";
                output.WriteLine($"| {kind} | {name} | {success} | {counts} | {seen} |");
            }
        }
        WriteDisplacementTable(output, "Grip displacement per step under a sustained full action (mm per 100 ms step, mean of steps 3-10), first robot",
            registry, FetchEnvs.DeployableSuffix, runs[0].Options);
        return 0;
    }

    private static string SuccessRow(FetchTaskKind kind, TasksBench.ScriptedRun run)
    {
        string success = run.StoppedBy is null
            ? $"{run.Successes}/{run.Episodes} = {100.0 * run.Successes / Math.Max(run.Episodes, 1):F1} %"
            : $"{run.Successes}/{run.Episodes} before a safety stop ended the run ({run.StoppedBy})";
        return run.Supervisor is { } counters
            ? $"| {kind} | {success} | {counters.Clamped} of {counters.Forwarded} commands |"
            : $"| {kind} | {success} |";
    }

    /// <summary>How far the grip moves per step along each axis under a sustained full action, Reach and Push.</summary>
    private static void WriteDisplacementTable(TextWriter output, string title, EnvRegistry registry, string idSuffix, EnvOptions options)
    {
        output.WriteLine();
        output.WriteLine(title);
        output.WriteLine("| task | +x | -x | +y | -y | +z | -z |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (FetchTaskKind kind in new[] { FetchTaskKind.Reach, FetchTaskKind.Push })
        {
            var cells = new List<string>();
            for (int axis = 0; axis < 3; axis++)
            {
                foreach (float sign in new[] { 1f, -1f })
                {
                    cells.Add($"{1000 * TasksBench.SustainedStepLength(registry, $"Fetch{kind}{idSuffix}", axis, sign, options):F1}");
                }
            }
            output.WriteLine($"| {kind} | {string.Join(" | ", cells)} |");
        }
    }
}
