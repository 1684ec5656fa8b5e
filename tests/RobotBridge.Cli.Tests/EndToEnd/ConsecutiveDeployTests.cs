using System.Globalization;
using System.Text.RegularExpressions;
using RobotBridge.Cli.Tests.Learning;
using Xunit.Abstractions;

namespace RobotBridge.Cli.Tests.EndToEnd;

/// <summary>
/// docs/deploy.md's "Deploy to a real Fetch" walkthrough as a user runs it: one long-running robot process
/// (<c>robotbridge serve</c>) and two <c>robotbridge deploy</c> processes after each other. The second
/// deploy's goals must be taken as the first's were: a robot whose action servers order goals by stamp
/// recalls every goal stamped older than the last one it took, from any process (issue 14 §1).
/// </summary>
[Trait("Category", "Peer")] // starts serve and deploy processes: not in the fast lane
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)] // the collection trains the Reach policy; one real-time chain at a time
public sealed class ConsecutiveDeployTests(TrainedReachPolicy reach, ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-consecutive-deploy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Two_deploys_in_a_row_against_one_serve_process_both_run_their_episodes()
    {
        string policy = reach.PolicyPath;
        // A 1 s stale-state bound (shipped 0.2 s): on two cores shared by several test processes a joint
        // state 208 ms old stopped the first move home, which is not what this test is about.
        using var safety = RelaxedSafetyConfig.WithStaleStateAfter(1.0);
        string config = safety.Path;
        using var serve = CliProcess.Start("serve", "--port", "0", "--no-camera", "--seconds", "300");
        string served = serve.WaitForLine(l => l.StartsWith("serving the MuJoCo Fetch twin on ", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "serve starts");
        string url = Regex.Match(served, @"ws://\S+").Value.TrimEnd('/');
        for (int run = 1; run <= 2; run++)
        {
            using var deploy = CliProcess.Start("deploy", policy, "--robot", url, "--episodes", "2",
                "--seed", (30 + run).ToString(CultureInfo.InvariantCulture), "--quiet", "--safety-config", config);
            int code = deploy.WaitForExit(TimeSpan.FromSeconds(120), $"deploy {run} finishes");
            string stdout = deploy.Output;
            output.WriteLine($"deploy {run}: exit {code}\n{CliProcess.Tail(stdout, 12)}\n{deploy.Error}");
            Assert.True(code == 0, $"deploy {run} exit {code}\n{CliProcess.Tail(stdout)}\n{deploy.Error}");
            // Both episodes ran to their end (success is the policy's business, not this test's).
            Assert.Matches(@"FetchReach-v4 on ws://\S+: [012]/2 episodes succeeded, 100 steps", stdout);
            Assert.DoesNotContain("RECALLED", stdout + deploy.Error);
            Assert.DoesNotContain("did not", stdout + deploy.Error);
        }
        Assert.False(serve.HasExited, $"serve ended while deploys ran\n{CliProcess.Tail(serve.Output)}\n{serve.Error}");
    }
}
