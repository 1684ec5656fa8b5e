using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>What <c>robotbridge serve</c> runs: the MuJoCo twin in real time behind our rosbridge server.</summary>
internal sealed class ServedTwin : IAsyncDisposable
{
    /// <param name="sceneObject">Arranges the scene for that object's tasks and publishes its ground-truth pose, as `serve --object` does.</param>
    public ServedTwin(bool camera = false, RosDialect dialect = RosDialect.Ros1, SceneObject? sceneObject = null)
    {
        Twin = new FetchTwin(new FetchTwinOptions
        {
            ClockMode = TwinClockMode.RealTime,
            Camera = camera ? HeadCameraOptions.Carmine : HeadCameraOptions.Off,
        });
        Server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0, Dialect = dialect });
        Server.Start();
        Node = new FetchRobotNode(Server, Twin, objectSource: sceneObject is null ? null : ServedTaskScene.Arrange(Twin, sceneObject));
    }

    public FetchTwin Twin { get; }
    public RosbridgeServer Server { get; }
    public FetchRobotNode Node { get; }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Node.Dispose();
        Twin.Dispose();
    }
}
