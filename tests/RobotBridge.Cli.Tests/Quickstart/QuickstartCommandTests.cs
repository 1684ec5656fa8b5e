namespace RobotBridge.Cli.Tests.Quickstart;

/// <summary>The README's main job, shortened: train on the twin, evaluate, run behind the supervisor
/// with the embedded broker, and stop it with an MQTT e-stop.</summary>
[Collection(TorchCollection.Name)]
public sealed class QuickstartCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-quickstart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Quickstart_trains_evaluates_runs_and_stops_on_the_MQTT_e_stop()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(["quickstart", "--steps", "1000", "--eval-episodes", "3", "--episodes", "2", "--out", _dir], output, error);
        string text = output.ToString();
        Assert.True(code == 0, text + error);
        Assert.True(File.Exists(Path.Combine(_dir, "policy.rbpolicy")), text);
        Assert.Contains("[2/3] Evaluation of the saved policy on the twin: success rate", text);
        Assert.Contains("operator connected, e-stop reset: robot running", text);
        // The e-stop was pressed over MQTT in the last episode and ended it through the safety layer.
        Assert.Contains("MQTT e-stop at episode 2 step 20", text);
        Assert.Contains("safety stop", text);
        Assert.Contains("by Teleop:mqtt:operator", text);
    }
}

/// <summary>Test classes that train with torch run one at a time (torch's generator is process-wide), and so
/// do the real-time rosbridge chains (served twin, deploy, e-stop): on a 2-core machine two of them
/// starve each other's joint states past the supervisor's 0.2 s staleness bound.</summary>
[CollectionDefinition(Name)]
public sealed class TorchCollection : ICollectionFixture<RobotBridge.Cli.Tests.Learning.TrainedReachPolicy>
{
    public const string Name = "torch";
}
