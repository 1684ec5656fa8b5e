using System.Globalization;
using System.Text.RegularExpressions;

namespace RobotBridge.Distributed.Tests;

/// <summary>
/// The learner and its worker processes on loopback, through the real command line: training, a worker
/// killed mid-run, and a resumed run.
/// </summary>
[Trait("Category", "Peer")]
public sealed partial class LoopbackClusterTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(12);

    [Fact]
    public async Task TwoWorkerProcessesTrainReachTo95Percent_AndTheRunSurvivesAKilledWorker()
    {
        string dir = Directory.CreateTempSubdirectory("robotbridge-dist-").FullName;
        using var train = CliRun.Start("train", "FetchReach-v4", "--workers", "2", "--steps", "5000", "--checkpoint-every", "5000",
            "--eval-episodes", "100", "--out", dir, "--seed", "1");
        // Kill slot 1's first process once the run is well under way (past the random warm-up).
        int victim = await WaitForPid(train, slot: 1);
        await WaitUntil(() => StoredSteps(dir) >= 2000, train);
        System.Diagnostics.Process.GetProcessById(victim).Kill();
        await train.WaitAsync(RunLimit);
        Assert.True(train.Process.ExitCode == 0, train.Output);

        var workers = Rows(Path.Combine(dir, "workers.csv"));
        Assert.Contains(workers, w => w["event"].StartsWith("exited(", StringComparison.Ordinal) && w["event"] != "exited(0)" && w["slot"] == "1" && w["pid"] == victim.ToString(CultureInfo.InvariantCulture));
        Assert.Contains(workers, w => w["event"] == "joined" && w["slot"] == "1" && w["generation"] == "2");
        var episodes = Rows(Path.Combine(dir, "episodes.csv"));
        Assert.Equal(5000, long.Parse(episodes[^1]["steps"], CultureInfo.InvariantCulture));
        // The replacement delivered episodes, and both slots contributed; every episode names its policy version.
        Assert.Contains(episodes, e => e["slot"] == "1" && e["generation"] == "2");
        Assert.Contains(episodes, e => e["slot"] == "0");
        Assert.Contains(episodes, e => long.Parse(e["policy_version"], CultureInfo.InvariantCulture) > 0);
        Assert.All(episodes, e => Assert.True(long.Parse(e["version_lag"], CultureInfo.InvariantCulture) >= 0));

        var eval = Rows(Path.Combine(dir, "eval.csv"));
        double success = double.Parse(eval[^1]["success_rate"], CultureInfo.InvariantCulture);
        Assert.True(success >= 0.95, $"eval success {success:P0} after 5000 distributed steps\n{train.Output}");
        Assert.True(File.Exists(Path.Combine(dir, "policy.rbpolicy")));
    }

    [Fact]
    public async Task ResumeContinuesStepsEpisodesPolicyVersionsAndWorkerGenerations()
    {
        string dir = Directory.CreateTempSubdirectory("robotbridge-dist-").FullName;
        var (code, output) = await CliRun.RunAsync(RunLimit, "train", "FetchReach-v4", "--workers", "1", "--steps", "1200", "--checkpoint-every", "600", "--out", dir);
        Assert.True(code == 0, output);
        long firstVersion = long.Parse(PolicyVersion().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(firstVersion > 0, output);

        (code, output) = await CliRun.RunAsync(RunLimit, "train", "FetchReach-v4", "--workers", "1", "--steps", "1500", "--out", dir, "--resume");
        Assert.True(code == 0, output);
        Assert.True(long.Parse(PolicyVersion().Match(output).Groups[1].Value, CultureInfo.InvariantCulture) > firstVersion, output);
        var episodes = Rows(Path.Combine(dir, "episodes.csv"));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => i.ToString(CultureInfo.InvariantCulture)), episodes.Select(e => e["episode"]));
        Assert.Equal("1500", episodes[^1]["steps"]);
        // The resumed run's worker is slot 0's second generation: a fresh seed, not a replay of the first run's episodes.
        Assert.Equal("2", episodes[^1]["generation"]);
        Assert.Equal("1", episodes[0]["generation"]);
    }

    [Fact]
    public async Task AWorkerStartedByHandJoinsTheRunningLearnerInTheNextFreeSlot()
    {
        string dir = Directory.CreateTempSubdirectory("robotbridge-dist-").FullName;
        using var train = CliRun.Start("train", "FetchReach-v4", "--workers", "1", "--steps", "2500", "--checkpoint-every", "2500", "--out", dir);
        var listening = new Regex(@"learner listening on (\S+) \(Orleans gateway\)");
        await WaitUntil(() => listening.IsMatch(train.Output), train);
        string gateway = listening.Match(train.Output).Groups[1].Value;
        // Started the moment the learner listens, before its local worker has joined: slot 0 is reserved
        // for that local worker, so the hand worker gets slot 1 and keeps it.
        var (code, output) = await CliRun.RunAsync(RunLimit, "worker", "--learner", gateway, "--envs", "2", "--name", "by-hand");
        Assert.True(code == 0, output);
        Assert.Contains("joined " + gateway + " as slot 1 (generation 1", output);
        Assert.Contains("the run is complete", output);
        await train.WaitAsync(RunLimit);
        Assert.True(train.Process.ExitCode == 0, train.Output);
        Assert.Contains(Rows(Path.Combine(dir, "workers.csv")), w => w["event"] == "joined" && w["slot"] == "1" && w["name"] == "by-hand");
        var byHand = Rows(Path.Combine(dir, "episodes.csv")).Where(e => e["slot"] == "1").ToList();
        Assert.NotEmpty(byHand);
        // Its two twins ran side by side: both sub-envs delivered episodes.
        Assert.Equal(["0", "1"], byHand.Select(e => e["sub_env"]).Distinct().Order());
    }

    [Theory]
    [InlineData("worker --learner nowhere", "--learner must be HOST:PORT")]
    [InlineData("worker --learner 127.0.0.1:0", "--learner must be HOST:PORT")]
    [InlineData("train FetchReach-v4 --workers 2 --algo ppo", "--workers trains SAC+HER")]
    [InlineData("train FetchReach-v4 --workers 2 --listen 0.0.0.0", "--listen must be an address workers can reach")]
    [InlineData("train FetchReach-v4 --workers -1", "--workers")]
    public async Task BadInputIsOneLineAndExit2(string arguments, string says)
    {
        string dir = Directory.CreateTempSubdirectory("robotbridge-dist-").FullName;
        var (code, output) = await CliRun.RunAsync(TimeSpan.FromMinutes(2), [.. arguments.Split(' '), .. arguments.StartsWith("train", StringComparison.Ordinal) ? new[] { "--out", Path.Combine(dir, "run") } : []]);
        Assert.Equal(2, code);
        Assert.Contains(says, output);
        Assert.Single(output.Trim().Split('\n'));
    }

    [Fact]
    public async Task AWorkerWithoutALearnerSaysSoInOneLine()
    {
        var (code, output) = await CliRun.RunAsync(TimeSpan.FromMinutes(2), "worker", "--learner", "127.0.0.1:9", "--connect-timeout", "1");
        Assert.Equal(1, code);
        Assert.Contains("no learner answered at 127.0.0.1:9", output);
        Assert.Single(output.Trim().Split('\n'));
    }

    private static async Task<int> WaitForPid(CliRun run, int slot)
    {
        var pattern = new Regex($"worker slot {slot}: started pid (\\d+)");
        await WaitUntil(() => pattern.IsMatch(run.Output), run);
        return int.Parse(pattern.Match(run.Output).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntil(Func<bool> condition, CliRun run)
    {
        var deadline = DateTime.UtcNow + RunLimit;
        while (!condition())
        {
            if (run.Process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"the run ended or stalled first:\n{run.Output}");
            await Task.Delay(200);
        }
    }

    private static long StoredSteps(string dir)
    {
        string path = Path.Combine(dir, "episodes.csv");
        if (!File.Exists(path)) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        string? last = null;
        while (reader.ReadLine() is { } line) last = line;
        return last is not null && long.TryParse(last.Split(',')[1], CultureInfo.InvariantCulture, out long steps) ? steps : 0;
    }

    private static List<Dictionary<string, string>> Rows(string path)
    {
        var lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    [GeneratedRegex(@"policy version (\d+)")]
    private static partial Regex PolicyVersion();
}
