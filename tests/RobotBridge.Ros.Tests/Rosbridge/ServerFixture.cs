using RobotBridge.Ros.Client;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>A real server on a free loopback port and clients connected to it over real WebSockets.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    private readonly List<RosbridgeClient> _clients = [];

    public ServerFixture(RosbridgeServerOptions? options = null)
    {
        Server = new RosbridgeServer((options ?? new RosbridgeServerOptions()) with { Port = 0 });
        Server.Start();
    }

    public RosbridgeServer Server { get; }

    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    public async Task<RosbridgeClient> ConnectAsync(RosDialect dialect = RosDialect.Ros1, Func<RosbridgeClientOptions, RosbridgeClientOptions>? configure = null)
    {
        var options = new RosbridgeClientOptions(Server.Uri) { Dialect = dialect };
        var client = new RosbridgeClient(configure?.Invoke(options) ?? options);
        _clients.Add(client);
        Assert.True(await client.WaitConnectedAsync(Wait), "client did not connect");
        return client;
    }

    public static async Task Eventually(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Wait);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        await Server.DisposeAsync();
    }
}
