using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>What <c>robotbridge serve</c> runs: the MuJoCo twin in real time behind our rosbridge server.</summary>
internal sealed class ServedTwin : IAsyncDisposable
{
    private readonly RosDialect _dialect;
    private readonly TwinObjectTracker? _objectSource;

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

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Node.Dispose();
        Twin.Dispose();
    }
}
