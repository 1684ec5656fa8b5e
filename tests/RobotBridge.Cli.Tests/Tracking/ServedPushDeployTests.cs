using System.Text.RegularExpressions;
using RobotBridge.Cli.Tests.EndToEnd;
using RobotBridge.Ros.Fetch;

namespace RobotBridge.Cli.Tests.Tracking;

/// <summary>
/// The shipped programs, each its own process: <c>robotbridge train FetchPush-v4</c> (a few hundred
/// steps: a weak policy, which is all this needs), <c>robotbridge serve</c> (the twin in real time,
/// publishing the cube's pose as a detector would) and <c>robotbridge deploy POLICY --robot ws://…</c>,
/// whose object observation comes from the RosObjectTracker. Deployment must run and stop cleanly;
/// a 200-step policy is not expected to push the cube to the goal.
/// </summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)] // one real-time chain at a time: on 2 cores two starve each other
public sealed class ServedPushDeployTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-push-deploy-").FullName;

    [Fact]
    public void Deploy_of_a_Push_policy_over_rosbridge_runs_an_episode_and_stops_cleanly()
    {
        using (var train = CliProcess.Start("train", "FetchPush-v4", "--steps", "200", "--seed", "2", "--out", _dir))
        {
            int trained = train.WaitForExit(TimeSpan.FromSeconds(120), "train a FetchPush policy");
            Assert.True(trained == 0, $"train exit {trained}\n{CliProcess.Tail(train.Output)}\n{train.Error}");
        }
        string policy = Path.Combine(_dir, "policy.rbpolicy");

        using var serve = CliProcess.Start("serve", "--port", "0", "--no-camera", "--seconds", "120");
        string served = serve.WaitForLine(l => l.StartsWith("serving the MuJoCo Fetch twin on ", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "serve starts");
        Assert.Contains($"object cube on {FetchTopics.ObjectPose}", served);
        serve.WaitForLine(l => l.Contains(FetchTopics.ObjectPose, StringComparison.Ordinal) && l.Contains("geometry_msgs/PoseStamped", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "serve lists the object pose topic");
        string url = Regex.Match(served, @"ws://\S+").Value.TrimEnd('/');

        using var deploy = CliProcess.Start("deploy", policy, "--robot", url, "--episodes", "1", "--seed", "5");
        // The reset drives the arm to the start pose, then asks the operator to place the cube; on the
        // served twin it waits in the table's corner, and the operator just confirms.
        string prompt = deploy.WaitForLine(l => l.StartsWith("[operator] Place the 5 cm cube", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "deploy asks for the cube");
        Assert.Contains("robot base frame", prompt);
        deploy.Answer("");
        int code = deploy.WaitForExit(TimeSpan.FromSeconds(60), "deploy runs the episode");
        string stdout = deploy.Output;
        Assert.True(code == 0, $"deploy exit {code}\n{CliProcess.Tail(stdout)}\n{deploy.Error}");
        Assert.Matches(@"FetchPush-v4 on ws://\S+: [01]/1 episodes succeeded, 50 steps", stdout);
        Assert.Contains("safety stops:     0", stdout);
        Assert.False(serve.HasExited, "serve went down during the deployment");
    }

    [Fact]
    public void Serve_refuses_an_unknown_object()
    {
        var (code, _, error) = CliInvocation.Run("serve", "--port", "0", "--object", "banana");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("--object must be cube, puck or none, got 'banana'", error);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
