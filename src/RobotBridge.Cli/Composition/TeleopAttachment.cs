using RobotBridge.Control;
using RobotBridge.Safety;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Robot;
using RobotBridge.Teleop.Web;

namespace RobotBridge.Cli.Composition;

/// <summary>
/// Puts a supervised robot on the MQTT teleop channel: the embedded broker (loopback, unless an
/// external broker is named) and a <see cref="TeleopBridge"/> on the supervisor's e-stop latch, so any
/// client can trip the robot and an authorised operator (heartbeat, dead-man) can reset it.
/// </summary>
internal sealed class TeleopAttachment : IAsyncDisposable
{
    private readonly EmbeddedBroker? _broker;
    private readonly WebConsole? _web;

    private TeleopAttachment(EmbeddedBroker? broker, WebConsole? web, TeleopBridge bridge, int port)
    {
        _broker = broker;
        _web = web;
        Bridge = bridge;
        Port = port;
    }

    public TeleopBridge Bridge { get; }

    public int Port { get; }

    /// <summary>The browser console's address, when one was asked for.</summary>
    public Uri? WebAddress => _web?.Address;

    /// <param name="accounts">Broker accounts: one with the robot role (the bridge's own) and the operators.</param>
    /// <param name="externalHost">An external broker (e.g. mosquitto) to use instead of the embedded one.</param>
    /// <param name="webPort">Also serve the browser console (page + MQTT over WebSocket into the embedded broker) on this port.</param>
    /// <param name="commands">The mailbox of the control loop driving the robot (the env's): operators'
    /// motion commands go there, not straight to the robot. Null only for a robot no loop drives.</param>
    public static async Task<TeleopAttachment> StartAsync(ISafetyGuard guard, IReadOnlyList<TeleopUser> accounts, int port,
        string? externalHost, TimeSpan heartbeatTimeout, CancellationToken cancellationToken, int? webPort = null, RobotCommandMailbox? commands = null)
    {
        if (webPort is not null && externalHost is not null)
        {
            throw new ArgumentException("--web-port needs the embedded broker (the page's MQTT over WebSocket goes into it); drop the external broker");
        }
        TeleopUser robot = accounts.FirstOrDefault(u => u.Role == TeleopRole.Robot)
            ?? throw new ArgumentException("the MQTT user list needs one account with role robot (the bridge's own)");
        string[] operators = accounts.Where(u => u.Role == TeleopRole.Operator).Select(u => u.Name).ToArray();
        WebConsole? web = webPort is { } p ? new WebConsole(new WebConsoleOptions { Port = p, HeartbeatTimeout = heartbeatTimeout }) : null;
        EmbeddedBroker? broker = externalHost is null
            ? await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions
            {
                Access = new TeleopAccessPolicy(accounts), Port = port, ExtraAdapters = web is null ? [] : [web.MqttAdapter],
            })
            : null;
        var bridge = new TeleopBridge(guard, new TeleopBridgeOptions
        {
            Broker = new BrokerEndpoint { Host = externalHost ?? "127.0.0.1", Port = port, UserName = robot.Name, Password = robot.Password },
            AuthorisedOperators = operators,
            HeartbeatTimeout = heartbeatTimeout,
            Commands = commands,
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
            if (web is not null)
            {
                await web.StartAsync(cancellationToken);
            }
            return new TeleopAttachment(broker, web, bridge, port);
        }
        catch
        {
            await bridge.DisposeAsync();
            if (web is not null)
            {
                await web.DisposeAsync();
            }
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
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
