[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace RobotBridge.Teleop.Web.Tests;

/// <summary>One <c>teleop serve --web-port 0</c> process on the twin for a test class, and the
/// test's own MQTT watch on it.</summary>
public sealed class ServedRobot : IAsyncLifetime
{
    internal ServeProcess Serve { get; private set; } = null!;
    internal RobotWatch Watch { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Serve = await ServeProcess.StartAsync();
        Watch = await RobotWatch.ConnectAsync(Serve.BrokerPort);
    }

    public async Task DisposeAsync()
    {
        if (Watch is not null)
        {
            await Watch.DisposeAsync();
        }
        if (Serve is not null)
        {
            await Serve.DisposeAsync();
        }
    }
}
