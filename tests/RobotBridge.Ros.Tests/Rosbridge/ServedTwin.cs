using RobotBridge.Gym;
using RobotBridge.Model;
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
    private readonly RecordingTeleporter? _teleporter;
    private readonly ServerCredentials? _credentials;
    private readonly List<RelaxedSafetyConfig> _safetyConfigs = [];

    /// <param name="sceneObject">Arranges the scene for that object's tasks, publishes its ground-truth pose and
    /// places it on request, as `serve --object` does.</param>
    /// <param name="credentials">Require rosauth with these roles, as `serve --auth` does.</param>
    public ServedTwin(bool camera = false, RosDialect dialect = RosDialect.Ros1, SceneObject? sceneObject = null, ServerCredentials? credentials = null)
    {
        Twin = new FetchTwin(new FetchTwinOptions
        {
            ClockMode = TwinClockMode.RealTime,
            Camera = camera ? HeadCameraOptions.Carmine : HeadCameraOptions.Off,
        });
        _dialect = dialect;
        _objectSource = sceneObject is null ? null : ServedTaskScene.Arrange(Twin, sceneObject);
        _teleporter = sceneObject is SceneObject item ? new RecordingTeleporter(new TwinObjectTeleporter(Twin, item)) : null;
        _credentials = credentials;
        Server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0, Dialect = dialect, Credentials = credentials });
        Server.Start();
        Node = new FetchRobotNode(Server, Twin, objectSource: _objectSource, objectTeleporter: _teleporter);
    }

    /// <summary>Points clients asked the twin to place the object at (base_link), placed or refused.</summary>
    public IReadOnlyList<Vec3> PlacementRequests => _teleporter?.Requests ?? [];

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
        Server = new RosbridgeServer(new RosbridgeServerOptions { Port = Server.Port, Dialect = _dialect, Credentials = _credentials });
        Server.Start();
        Node = new FetchRobotNode(Server, Twin, objectSource: _objectSource, objectTeleporter: _teleporter);
    }

    /// <summary>
    /// FetchReach-v4 on a RosFetch body connected to this server, behind the shipped safety config with
    /// its stale-state bound loosened to <paramref name="staleStateAfter"/> s: the served twin, the server,
    /// the client and other test processes share two cores and can stall past the shipped 0.2 s with
    /// nothing wrong. <paramref name="linkTimeout"/> is how long RosFetch waits before calling the link lost.
    /// </summary>
    public IEnv<DictValue, float[]> MakeReachEnv(double staleStateAfter, double linkTimeout, string? armMotion = null) =>
        MakeEnv("FetchReach-v4", staleStateAfter, linkTimeout, o => armMotion is null ? o : o.With(FetchEnvs.ArmMotionOption, armMotion));

    /// <summary><paramref name="envId"/> on a RosFetch body connected to this server, as <see cref="MakeReachEnv"/>,
    /// with <paramref name="configure"/>'s env options on top.</summary>
    public IEnv<DictValue, float[]> MakeEnv(string envId, double staleStateAfter, double linkTimeout, Func<EnvOptions, EnvOptions>? configure = null)
    {
        var safety = RelaxedSafetyConfig.WithStaleStateAfter(staleStateAfter);
        _safetyConfigs.Add(safety);
        var registry = new EnvRegistry();
        FetchEnvs.Register(registry, new FetchBodyProviders(new RosFetchBodyProvider()));
        var options = new EnvOptions()
            .With(FetchEnvs.RobotOption, Server.Uri.ToString())
            .With(RosFetchBodyProvider.SafetyConfigOption, safety.Path)
            .With(RosFetchBodyProvider.LinkTimeoutOption, linkTimeout);
        return registry.Make<DictValue, float[]>(envId, configure is null ? options : configure(options));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Node.Dispose();
        Twin.Dispose();
        foreach (var safety in _safetyConfigs) safety.Dispose();
    }
}

/// <summary>The twin's placement, remembering every point asked of it.</summary>
internal sealed class RecordingTeleporter(IObjectTeleporter inner) : IObjectTeleporter
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Vec3> _requests = new();

    public IReadOnlyList<Vec3> Requests => [.. _requests];

    public string? TryPlace(Vec3 inBase)
    {
        _requests.Enqueue(inBase);
        return inner.TryPlace(inBase);
    }
}
