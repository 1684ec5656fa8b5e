using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RobotBridge.Distributed;
using RobotBridge.Distributed.Learner;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Sac;
using RobotBridge.Learning.Training;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// `robotbridge bench distributed`: env steps/s and gradient steps/s of SAC+HER in one process and with
/// 1, 2, 4 … worker processes on loopback, plus collection-only runs (no gradient steps) that show what
/// the workers alone deliver; the per-worker cost and the learner's limit behind docs/distributed.md's estimate.
/// </summary>
internal static class DistributedBenchCommand
{
    public static Command Create()
    {
        var steps = new Option<long>("--steps") { Description = "Env steps per run (including the 1000 random warm-up steps)", DefaultValueFactory = _ => 3000 }.Range(1100, 10_000_000);
        var workers = new Option<string>("--workers") { Description = "Worker process counts to measure, comma-separated", DefaultValueFactory = _ => "1,2,4" };
        var updates = new Option<double>("--updates-per-step") { Description = "Gradient steps per env step (1: the defaults, bounded by the learner)", DefaultValueFactory = _ => 1.0 }.Range(0.01, 100);
        var env = new Option<string>("--env") { Description = "Goal env to train on", DefaultValueFactory = _ => "FetchReach-v4" };
        var noCollectOnly = new Option<bool>("--no-collect-only") { Description = "Skip the collection-only runs" };
        var command = new Command("distributed",
            "Distributed SAC+HER throughput: single process vs 1, 2, 4 worker processes on loopback (env steps/s, gradient steps/s, per-worker cost, learner limit).\n" +
            "Example: nice -n 10 robotbridge bench distributed --steps 3000 --workers 1,2,4");
        foreach (var o in new Option[] { steps, workers, updates, env, noCollectOnly }) command.Options.Add(o);
        command.SetAction((parse, cancel) =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            var counts = new List<int>();
            foreach (string part in parse.GetValue(workers)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count is < 1 or > 64)
                    throw new CliUsageException($"--workers must be worker counts from 1 to 64 separated by commas (e.g. 1,2,4), got '{parse.GetValue(workers)}'");
                counts.Add(count);
            }
            if (counts.Count == 0) throw new CliUsageException("--workers must name at least one worker count (e.g. 1,2,4)");
            CliEnvironments.EnsureRegistered();
            string envId = parse.GetValue(env)!;
            long n = parse.GetValue(steps);
            double ratio = parse.GetValue(updates);
            var sac = new SacHerConfig { GradientStepsPerEnvStep = ratio };
            output.WriteLine(FormattableString.Invariant($"Distributed SAC+HER on {envId}: {n} env steps per run, {ratio} gradient steps per env step past {sac.LearningStarts} warm-up steps; {Environment.ProcessorCount} cores"));
            output.WriteLine("Rates count from the first episode the learner receives (process and cluster start-up excluded). Load: 1-minute load average before → after the run.");
            output.WriteLine("| run | processes | env steps/s | gradient steps/s | per-worker env steps/s while collecting | learner limit, gradient steps/s | mean policy lag | load |");
            output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            string root = Directory.CreateTempSubdirectory("robotbridge-bench-distributed-").FullName;
            try
            {
                output.WriteLine(Single(envId, n, sac, Path.Combine(root, "single"), cancel));
                foreach (int count in counts) output.WriteLine(Distributed(envId, n, sac, count, Path.Combine(root, $"w{count}"), "SAC+HER", cancel));
                if (!parse.GetValue(noCollectOnly))
                {
                    // Collection only: no gradient steps, so the learner never holds the workers back.
                    foreach (int count in counts) output.WriteLine(Distributed(envId, n, sac with { GradientStepsPerEnvStep = 0 }, count, Path.Combine(root, $"c{count}"), "collection only", cancel));
                }
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
            return Task.FromResult(0);
        });
        return command;
    }

    private static string Single(string envId, long steps, SacHerConfig sac, string dir, CancellationToken cancel)
    {
        string before = Load();
        var clock = Stopwatch.StartNew();
        var result = PolicyTraining.Train(new TrainRequest { EnvId = envId, Steps = steps, OutputDirectory = dir, Sac = sac, CheckpointEvery = steps }, null, cancel);
        double seconds = clock.Elapsed.TotalSeconds;
        double gradient = Math.Max(0, result.Steps - sac.LearningStarts + 1) * sac.GradientStepsPerEnvStep;
        return FormattableString.Invariant($"| single process (train) | 1 | {result.Steps / seconds:F0} | {gradient / seconds:F0} | – | – | 0 | {before} → {Load()} |");
    }

    private static string Distributed(string envId, long steps, SacHerConfig sac, int workers, string dir, string label, CancellationToken cancel)
    {
        string before = Load();
        var request = new DistributedTrainRequest
        {
            EnvId = envId,
            MakeEnv = () => GymEnvs.Make<DictValue, float[]>(envId),
            Steps = steps,
            OutputDirectory = dir,
            Sac = sac,
            CheckpointEvery = steps,
        };
        var result = DistributedTraining.TrainAsync(request, workers, (slot, gateway) => DistributedTrainOptions.WorkerStart(slot, gateway, 1), null, _ => { }, cancel)
            .GetAwaiter().GetResult();
        var s = result.Stats;
        string limit = s.GradientSteps > 0 ? s.LearnerLimit.ToString("F0", CultureInfo.InvariantCulture) : "–";
        return FormattableString.Invariant(
            $"| {label} | 1 learner + {workers} worker{(workers > 1 ? "s" : "")} | {s.EnvStepsPerSecond:F0} | {s.GradientStepsPerSecond:F0} | {s.WorkerStepsPerSecond:F0} | {limit} | {s.MeanLag:F1} | {before} → {Load()} |");
    }

    private static string Load() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
