using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using RobotBridge.Ros.Tasks;
using RobotBridge.Tasks;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>What <c>robotbridge serve</c> runs: the MuJoCo twin in real time behind our rosbridge server.</summary>
internal sealed class ServedTwin : IAsyncDisposable
{
    private readonly RosDialect _dialect;
    private readonly TwinObjectTracker? _objectSource;
    private readonly List<RelaxedSafetyConfig> _safetyConfigs = [];

    /// <param name="sceneObject">Arranges the scene for that object's tasks and publishes its ground-truth pose, as `serve --object` does.</param>
    public ServedTwin(bool camera = false, RosDialect dialect = RosDialect.Ros1, SceneObject? sceneObject = null)
    {
        Twin = new FetchTwin(new FetchTwinOptions
        {
            ClockMode = TwinClockMode.RealTime,
            Camera = camera ? HeadCameraOptions.Carmine : HeadCameraOptions.Off,
        });
        _dialect = dialect;
        _objectSource = sceneObject is null ? null : ServedTaskScene.Arrange(Twin, sceneObject);
        Server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0, Dialect = dialect });
        Server.Start();
        Node = new FetchRobotNode(Server, Twin, objectSource: _objectSource);
    }

    public FetchTwin Twin { get; }
    public RosbridgeServer Server { get; private set; }
    public FetchRobotNode Node { get; private set; }

    /// <summary>Kills the rosbridge server (and the node serving the twin through it); the twin runs on.</summary>
    public async Task StopServerAsync()
    {
        await Server.DisposeAsync();
        Node.Dispose();
    }

    /// <summary>Starts a new rosbridge server on the port of the killed one, serving the same twin.</summary>
    public void StartServer()
    {
        Server = new RosbridgeServer(new RosbridgeServerOptions { Port = Server.Port, Dialect = _dialect });
        Server.Start();
        Node = new FetchRobotNode(Server, Twin, objectSource: _objectSource);
    }

    /// <summary>
    /// FetchReach-v4 on a RosFetch body connected to this server, behind the shipped safety config with
    /// its stale-state bound loosened to <paramref name="staleStateAfter"/> s: the served twin, the server,
    /// the client and other test processes share two cores and can stall past the shipped 0.2 s with
    /// nothing wrong. <paramref name="linkTimeout"/> is how long RosFetch waits before calling the link lost.
    /// </summary>
    public IEnv<DictValue, float[]> MakeReachEnv(double staleStateAfter, double linkTimeout, string? armMotion = null)
    {
        var safety = RelaxedSafetyConfig.WithStaleStateAfter(staleStateAfter);
        _safetyConfigs.Add(safety);
        var registry = new EnvRegistry();
        FetchEnvs.Register(registry, new FetchBodyProviders(new RosFetchBodyProvider()));
        var options = new EnvOptions()
            .With(FetchEnvs.RobotOption, Server.Uri.ToString())
            .With(RosFetchBodyProvider.SafetyConfigOption, safety.Path)
            .With(RosFetchBodyProvider.LinkTimeoutOption, linkTimeout);
        return registry.Make<DictValue, float[]>("FetchReach-v4", armMotion is null ? options : options.With(FetchEnvs.ArmMotionOption, armMotion));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Node.Dispose();
        Twin.Dispose();
        foreach (var safety in _safetyConfigs) safety.Dispose();
    }
}
