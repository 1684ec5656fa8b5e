using System.Collections.Concurrent;
using System.Diagnostics;
using RobotBridge.Cli.Tests.EndToEnd;

namespace RobotBridge.Cli.Tests.Sweep;

/// <summary>
/// Every command with bad values, each as its own <c>robotbridge</c> process, as a user would type it:
/// each must fail with exactly one line on stderr that names what was wrong, a non-zero exit, no
/// "Unhandled exception" or stack frame, and without hanging. The list holds every input of issue 15
/// that once printed a stack trace, was silently accepted, or hung, plus a bad value for each option
/// that has a range.
/// </summary>
public sealed class CliSweepTests(BadInputFiles files) : IClassFixture<BadInputFiles>
{
    /// <summary>Long enough for a cold start of TorchSharp or MuJoCo on a loaded 2-core machine; a hang never ends.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>(command line, a fragment the error line must contain).</summary>
    private IEnumerable<(string[] Args, string Expect)> Cases()
    {
        var f = files;
        string[] C(params string[] a) => a;
        return
        [
            // Issue 15: stack traces instead of messages.
            (C("eval", f.MangledSpecPolicy, "FetchReach-v4"), "policy"),
            (C("eval", f.NegativeSpecPolicy, "FetchReach-v4"), "VectorSize"),
            (C("eval", f.HugeSpecPolicy, "FetchReach-v4"), "weights"),
            (C("train", "PointMassGoal-v0", "--hidden", "100000000,100000000", "--out", f.FreshRun), "--hidden"),
            (C("train", "PointMassGoal-v0", "--out", Path.Combine(f.AFile, "run")), "--out"),
            (C("deploy", f.Policy, "--record", f.AFolder), "--record"),
            (C("deploy", f.Policy, "--safety-config", f.BadSafetyConfig, "--quiet"), "safety config"),
            (C("serve", "--port", "-1"), "--port"),
            (C("serve", "--port", "70000"), "--port"),
            (C("teleop", "serve", "--users", f.Users, "--heartbeat-ms", "0"), "--heartbeat-ms"),
            (C("bench", "loop", "--rates", "-5"), "--rates"),
            (C("bench", "policy", "--iterations", "-1"), "--iterations"),
            (C("bench", "rosbridge", "--seconds", "-1"), "--seconds"),
            (C("sim", "export-mjcf", "-o", Path.Combine(f.AFile, "scene.xml")), "--output"),
            (C("model", "--urdf", "/dev/zero"), "--urdf"),
            (C("model", "--urdf", "/dev/null"), "--urdf"),
            (C("train", "PointMassGoal-v0", "--out", f.TruncatedRun, "--resume"), "truncated"),
            (C("eval", "/dev/null", "FetchReach-v4"), "POLICY"),
            (C("eval", f.DamagedPolicy, "FetchReach-v4"), "damaged"),
            (C("eval", f.TruncatedPolicy, "FetchReach-v4"), "truncated"),
            // Issue 15: nonsense that was accepted (or hung).
            (C("replay", f.ExistingBag, "--max-divergence", "NaN"), "--max-divergence"),
            (C("replay", f.ExistingBag, "--every", "0"), "--every"),
            (C("train", "PointMassGoal-v0", "--eval-episodes", "-3"), "--eval-episodes"),
            (C("deploy", f.Policy, "--operator-wait", "NaN"), "--operator-wait"),
            (C("serve", "--seconds", "-5"), "--seconds"),
            (C("bench", "loop", "--seconds", "NaN"), "--seconds"),
            (C("bench", "policy", "--iterations", "0"), "--iterations"),
            (C("bench", "tasks", "--steps", "-1"), "--steps"),
            (C("train", "PointMassGoal-v0", "--checkpoint-every", "0"), "--checkpoint-every"),
            (C("train", "PointMassGoal-v0", "--checkpoint-every", "-1"), "--checkpoint-every"),
            (C("train", "PointMassGoal-v0", "--out", f.ExistingRun), "--force"),
            (C("deploy", f.Policy, "--record", f.ExistingBag), "--force"),
            // Every other ranged option, once.
            (C("train", "PointMassGoal-v0", "--steps", "0"), "--steps"),
            (C("train", "PointMassGoal-v0", "--threads", "0"), "--threads"),
            (C("train", "PointMassGoal-v0", "--envs", "0"), "--envs"),
            (C("train", "PointMassGoal-v0", "--random-actions", "Infinity"), "--random-actions"),
            (C("train", "PointMassGoal-v0", "--updates-per-step", "NaN"), "--updates-per-step"),
            (C("train", "PointMassGoal-v0", "--bc-weight", "-1"), "--bc-weight"),
            (C("train", "PointMassGoal-v0", "--demos", "-1"), "--demos"),
            (C("train", "PointMassGoal-v0", "--steps", "abc"), "--steps"),
            (C("eval", f.Policy, "FetchReach-v4", "--episodes", "0"), "--episodes"),
            (C("deploy", f.Policy, "--episodes", "-1"), "--episodes"),
            (C("deploy", f.Policy, "--mqtt-port", "70000"), "--mqtt-port"),
            (C("deploy", f.Policy, "--mqtt-users", Path.Combine(f.Root, "missing.txt")), "--mqtt-users"),
            (C("deploy", Path.Combine(f.Root, "missing.rbpolicy")), "POLICY"),
            (C("replay", f.ExistingBag, "--episode", "-1"), "--episode"),
            (C("replay", f.AFolder), "BAG"),
            (C("check-env", "PointMassGoal-v0", "--steps", "0"), "--steps"),
            (C("quickstart", "--steps", "10"), "--steps"),
            (C("quickstart", "--out", f.AFile), "--out"),
            (C("sim", "bench", "--frames", "1"), "--frames"),
            (C("sim", "export-mjcf", "-o", f.AFolder), "--output"),
            (C("model", "fk", "--link", "gripper_link", "--urdf", f.AFolder), "--urdf"),
            (C("bench", "loop", "--realtime", "100"), "--realtime"),
            (C("bench", "loop", "--rates", "100,abc"), "--rates"),
            (C("bench", "estop", "--trips", "0"), "--trips"),
            (C("bench", "estop-supervisor", "--rate", "NaN"), "--rate"),
            (C("bench", "e2e", "--seconds", "NaN"), "--seconds"),
            (C("bench", "e2e", "--camera-width", "100000"), "--camera-width"),
            (C("bench", "tasks", "--max-steps", "0"), "--max-steps"),
            (C("bench", "policy", "--threads", "0"), "--threads"),
            (C("teleop", "--port", "0"), "--port"),
            (C("teleop", "serve", "--users", f.Users, "--bind", "not-an-address"), "--bind"),
            (C("teleop", "serve", "--users", "/dev/null"), "--users"),
            (C("teleop", "serve", "--users", f.Users, "--seconds", "-1"), "--seconds"),
            (C("teleop", "serve", "--users", f.Users, "--tls-port", "0"), "--tls-port"),
            (C("teleop", "mosquitto-config", "--users", f.Users, "--dir", f.AFile), "--dir"),
            (C("teleop", "mosquitto-config", "--users", f.Users, "--dir", f.AFolder, "--port", "-3"), "--port"),
            // Issue 21: distributed training.
            (C("train", "FetchReach-v4", "--workers", "-1"), "--workers"),
            (C("train", "FetchReach-v4", "--workers", "1", "--worker-envs", "0"), "--worker-envs"),
            (C("train", "FetchReach-v4", "--workers", "1", "--port", "70000"), "--port"),
            (C("train", "FetchReach-v4", "--workers", "1", "--listen", "not-an-address"), "--listen"),
            (C("worker", "--learner", "nowhere"), "--learner"),
            (C("worker", "--learner", "127.0.0.1:30000", "--envs", "0"), "--envs"),
            (C("worker", "--learner", "127.0.0.1:30000", "--connect-timeout", "NaN"), "--connect-timeout"),
            (C("bench", "distributed", "--steps", "0"), "--steps"),
            (C("bench", "distributed", "--workers", "1,abc"), "--workers"),
        ];
    }

    [Fact]
    public async Task Every_command_with_a_bad_value_fails_with_one_line_and_a_nonzero_exit()
    {
        var failures = new ConcurrentBag<string>();
        var cases = Cases().ToList();
        var clock = Stopwatch.StartNew();
        // Two at a time: each is a process start (0.3-1 s) on a machine that may have two cores.
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (c, token) =>
        {
            var (code, stdout, stderr, timedOut) = await RunAsync(c.Args, token);
            string line = string.Join(' ', c.Args);
            string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (timedOut) failures.Add($"{line}: still running after {Timeout.TotalSeconds} s (hangs)");
            else if (code == 0) failures.Add($"{line}: exit 0 (accepted); stdout: {Tail(stdout)}");
            else if (stderr.Contains("Unhandled exception", StringComparison.Ordinal) || stderr.Contains("   at ", StringComparison.Ordinal))
                failures.Add($"{line}: stack trace on stderr: {Tail(stderr)}");
            else if (lines.Length != 1) failures.Add($"{line}: {lines.Length} lines on stderr (want 1): {Tail(stderr)}");
            else if (!lines[0].Contains(c.Expect, StringComparison.Ordinal)) failures.Add($"{line}: '{lines[0]}' does not name '{c.Expect}'");
            else if (lines[0].StartsWith("robotbridge", StringComparison.Ordinal) is false) failures.Add($"{line}: '{lines[0]}' does not say which command failed");
        });
        Assert.True(failures.IsEmpty,
            $"{failures.Count} of {cases.Count} bad command lines misbehaved ({clock.Elapsed.TotalSeconds:F0} s):\n" + string.Join('\n', failures.OrderBy(x => x)));
    }

    private static string Tail(string text) => text.Length <= 400 ? text.Trim() : "…" + text[^400..].Trim();

    private async Task<(int Code, string Stdout, string Stderr, bool TimedOut)> RunAsync(string[] args, CancellationToken token)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = files.Root,
        };
        info.ArgumentList.Add(CliProcess.CliAssembly);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment[CliFailure.LogDirectoryVariable] = Path.Combine(files.Root, "logs");
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(token);
        var stderr = process.StandardError.ReadToEndAsync(token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return (-1, await stdout, await stderr, true);
        }
        return (process.ExitCode, await stdout, await stderr, false);
    }
}
