using System.Globalization;

namespace RobotBridge.Cli.Tests.Learning;

/// <summary>A run's files across resumes and restarts: progress.csv continues, an existing run is not
/// replaced without --force, and damaged checkpoints and policies are refused. In the "torch" collection.</summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)]
public sealed class RunContinuityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-run-continuity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args) => CliInvocation.Run(args);

    private static List<(long Steps, long Episodes)> Progress(string run) =>
        File.ReadAllLines(Path.Combine(run, "progress.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Select(c => (long.Parse(c[0], CultureInfo.InvariantCulture), long.Parse(c[1], CultureInfo.InvariantCulture)))
            .ToList();

    [Fact]
    public void Progress_continues_after_a_run_died_past_its_last_checkpoint()
    {
        string run = Path.Combine(_dir, "run");
        string checkpoint = Path.Combine(run, "checkpoint.rbckpt");
        var (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "600", "--checkpoint-every", "600", "--out", run);
        Assert.True(code == 0, error + output);
        var atCheckpoint = Progress(run)[^1];
        Assert.Equal(600, atCheckpoint.Steps);
        File.Copy(checkpoint, checkpoint + ".at600");

        // The run goes on to 1200 and logs it; then it dies before its next checkpoint reaches the disk
        // (kill -9): on disk, the checkpoint of step 600 and a progress.csv up to 1200.
        (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "1200", "--checkpoint-every", "600", "--out", run, "--resume");
        Assert.True(code == 0, error + output);
        Assert.Equal(1200, Progress(run)[^1].Steps);
        File.Copy(checkpoint + ".at600", checkpoint, overwrite: true);

        (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "1500", "--checkpoint-every", "600", "--out", run, "--resume");
        Assert.True(code == 0, error + output);
        var rows = Progress(run);
        for (int i = 1; i < rows.Count; i++)
        {
            Assert.True(rows[i].Steps > rows[i - 1].Steps, $"steps jump back at row {i}: {rows[i - 1].Steps} → {rows[i].Steps}");
            Assert.True(rows[i].Episodes >= rows[i - 1].Episodes, $"episode count restarts at row {i}: {rows[i - 1].Episodes} → {rows[i].Episodes}");
        }
        Assert.Equal(1500, rows[^1].Steps);
        // The resumed run's first row counts on from the checkpoint's episodes (PointMassGoal: 50-step episodes).
        var firstResumed = rows.First(r => r.Steps > 600);
        Assert.True(firstResumed.Episodes > atCheckpoint.Episodes, $"{firstResumed} after {atCheckpoint}");
    }

    [Fact]
    public void A_snapshot_of_a_checkpoint_resumed_at_its_own_step_gives_its_policy()
    {
        // How a policy is taken from a checkpoint kept along a long run: the snapshot alone in a fresh
        // directory, resumed with --steps at its step. Nothing is trained, so nothing is logged; before, the
        // empty progress.csv failed the run with an internal error after the policy was written.
        string run = Path.Combine(_dir, "long");
        var (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "300", "--checkpoint-every", "300", "--out", run);
        Assert.True(code == 0, error + output);
        string snapshot = Path.Combine(_dir, "snapshot");
        Directory.CreateDirectory(snapshot);
        File.Copy(Path.Combine(run, "checkpoint.rbckpt"), Path.Combine(snapshot, "checkpoint.rbckpt"));

        (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "300", "--checkpoint-every", "300", "--out", snapshot, "--resume");

        Assert.True(code == 0, error + output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run, "policy.rbpolicy")), File.ReadAllBytes(Path.Combine(snapshot, "policy.rbpolicy")));
        Assert.True(File.Exists(Path.Combine(snapshot, "learning-curve.png")), output);
    }

    [Fact]
    public void An_existing_run_is_replaced_only_with_force()
    {
        string run = Path.Combine(_dir, "existing");
        var (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "300", "--checkpoint-every", "300", "--out", run);
        Assert.True(code == 0, error + output);
        byte[] policy = File.ReadAllBytes(Path.Combine(run, "policy.rbpolicy"));

        (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "300", "--seed", "7", "--out", run);
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("already holds a run", error);
        Assert.Equal(policy, File.ReadAllBytes(Path.Combine(run, "policy.rbpolicy")));

        (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "300", "--checkpoint-every", "300", "--seed", "7", "--out", run, "--force");
        Assert.True(code == 0, error + output);
        Assert.NotEqual(policy, File.ReadAllBytes(Path.Combine(run, "policy.rbpolicy")));
        Assert.Equal(300, Progress(run)[^1].Steps);
        Assert.Equal(Progress(run).Count, Progress(run).Select(r => r.Steps).Distinct().Count()); // the old rows went with the old run
    }

    [Fact]
    public void A_damaged_checkpoint_is_refused_on_resume()
    {
        string run = Path.Combine(_dir, "damaged");
        var (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "300", "--checkpoint-every", "300", "--out", run);
        Assert.True(code == 0, error + output);
        string checkpoint = Path.Combine(run, "checkpoint.rbckpt");
        byte[] bytes = File.ReadAllBytes(checkpoint);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(checkpoint, bytes);

        (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "600", "--out", run, "--resume");
        Assert.Equal(1, code);
        Assert.Contains("is damaged", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Threads_beyond_the_cores_are_capped_with_a_warning()
    {
        string run = Path.Combine(_dir, "threads");
        var (code, output, error) = Run("train", "PointMassGoal-v0", "--steps", "100", "--checkpoint-every", "100", "--threads", "100000", "--out", run);
        Assert.True(code == 0, error + output);
        Assert.Contains($"--threads 100000 is more than the {Environment.ProcessorCount} cores of this machine; using {Environment.ProcessorCount}", error);
    }
}
