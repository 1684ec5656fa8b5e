using System.Net;
using Microsoft.AspNetCore.Http;

namespace RobotBridge.Teleop.Web;

/// <summary>
/// Which requests may open the MQTT WebSocket. A browser lets any page it shows open a WebSocket to any
/// address, the operator's loopback or the robot's LAN included, and sends no MQTT password by itself;
/// but a console run without accounts, or a page that learns one, must not let a site the operator
/// happens to visit STOP, RESET or jog the robot. So: a browser's <c>Origin</c> must be this console's
/// own (cross-site WebSocket hijacking), and the <c>Host</c> must name this machine — an IP address,
/// localhost, its host name or a name under it, or one listed — so a site whose DNS name is re-pointed at
/// the robot (DNS rebinding, which makes the page same-origin with itself) is refused too. Clients that
/// are not browsers send no Origin and are judged by the broker's accounts alone.
/// </summary>
public sealed class WebSocketOriginPolicy
{
    private readonly string _machine;
    private readonly HashSet<string> _extraHosts;

    public WebSocketOriginPolicy(IEnumerable<string>? extraHosts = null, string? machineName = null)
    {
        _machine = (machineName ?? Dns.GetHostName()).ToLowerInvariant();
        _extraHosts = new HashSet<string>(extraHosts ?? [], StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Why the request may not open the WebSocket, or null when it may.</summary>
    public string? Refusal(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        HostString host = request.Host;
        if (!host.HasValue || !IsThisMachine(host.Host))
        {
            return $"Host '{host.Value}' does not name this robot (an address, localhost, '{_machine}' or a listed name); refused against DNS rebinding";
        }
        string? origin = request.Headers.Origin;
        if (string.IsNullOrEmpty(origin))
        {
            return null;
        }
        string own = $"{request.Scheme}://{host.Value}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"Origin '{origin}' is not this console's own ({own}); a page from another site may not open the robot's MQTT WebSocket";
    }

    private bool IsThisMachine(string host)
    {
        string name = host.Trim('[', ']').TrimEnd('.');
        return IPAddress.TryParse(name, out _)
            || name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.Equals(_machine, StringComparison.OrdinalIgnoreCase)
            || name.StartsWith(_machine + ".", StringComparison.OrdinalIgnoreCase)
            || _extraHosts.Contains(name);
    }
}
