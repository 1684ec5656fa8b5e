using RobotBridge.Safety;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Robot;

namespace RobotBridge.Cli.Composition;

/// <summary>
/// Puts a supervised robot on the MQTT teleop channel: the embedded broker (loopback, unless an
/// external broker is named) and a <see cref="TeleopBridge"/> on the supervisor's e-stop latch, so any
/// client can trip the robot and an authorised operator (heartbeat, dead-man) can reset it.
/// </summary>
internal sealed class TeleopAttachment : IAsyncDisposable
{
    private readonly EmbeddedBroker? _broker;

    private TeleopAttachment(EmbeddedBroker? broker, TeleopBridge bridge, int port)
    {
        _broker = broker;
        Bridge = bridge;
        Port = port;
    }

    public TeleopBridge Bridge { get; }

    public int Port { get; }

    /// <param name="accounts">Broker accounts: one with the robot role (the bridge's own) and the operators.</param>
    /// <param name="externalHost">An external broker (e.g. mosquitto) to use instead of the embedded one.</param>
    public static async Task<TeleopAttachment> StartAsync(ISafetyGuard guard, IReadOnlyList<TeleopUser> accounts, int port,
        string? externalHost, TimeSpan heartbeatTimeout, CancellationToken cancellationToken)
    {
        TeleopUser robot = accounts.FirstOrDefault(u => u.Role == TeleopRole.Robot)
            ?? throw new ArgumentException("the MQTT user list needs one account with role robot (the bridge's own)");
        string[] operators = accounts.Where(u => u.Role == TeleopRole.Operator).Select(u => u.Name).ToArray();
        EmbeddedBroker? broker = externalHost is null
            ? await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions { Access = new TeleopAccessPolicy(accounts), Port = port })
            : null;
        var bridge = new TeleopBridge(guard, new TeleopBridgeOptions
        {
            Broker = new BrokerEndpoint { Host = externalHost ?? "127.0.0.1", Port = port, UserName = robot.Name, Password = robot.Password },
            AuthorisedOperators = operators,
            HeartbeatTimeout = heartbeatTimeout,
        });
        try
        {
            if (broker is not null)
            {
                bridge.WatchBrokerQueue(broker); // a dropped message could have been a trip: that is a stop
            }
            bridge.Start();
            await bridge.WaitUntilConnectedAsync(TimeSpan.FromSeconds(10));
            cancellationToken.ThrowIfCancellationRequested();
            return new TeleopAttachment(broker, bridge, port);
        }
        catch
        {
            await bridge.DisposeAsync();
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Bridge.DisposeAsync();
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
