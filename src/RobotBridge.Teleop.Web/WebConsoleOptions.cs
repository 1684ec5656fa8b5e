using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace RobotBridge.Teleop.Web;

/// <summary>Settings of the <see cref="WebConsole"/>.</summary>
public sealed record WebConsoleOptions
{
    /// <summary>Address the web listener binds to. Loopback unless configured, like the broker's.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>HTTP(S) port of the page and of MQTT over WebSocket (<c>/mqtt</c>); 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The broker's TLS certificate: when set, the page and the WebSocket are served over HTTPS
    /// only (the same certificate as the broker's TLS listener), so passwords never cross in clear text
    /// where the TCP side would not let them.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>Further names the console may be reached by (a proxy's, a DNS alias), beyond addresses,
    /// localhost and this machine's host name (<see cref="WebSocketOriginPolicy"/>).</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>The robot's id in the topic tree, told to the page.</summary>
    public string RobotId { get; init; } = "fetch";

    /// <summary>The bridge's heartbeat bound, shown on the page (the page's heartbeat period stays well inside it).</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromMilliseconds(250);
}
