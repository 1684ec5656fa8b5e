using RobotBridge.Ros.Server;

namespace RobotBridge.Ros.Fetch;

/// <summary>
/// Decides who may release the software runstop on <c>serve</c>. Anyone connected may engage it
/// (stopping is always allowed); releasing needs a supervisor, or an operator releasing a runstop it
/// engaged itself or whose engaging client has gone (so a client that reconnects after a dropped link
/// can resume). A viewer never releases. Thread-safe: called on the clients' receive tasks.
/// </summary>
internal sealed class RunstopAuthority(Func<int, bool> isConnected)
{
    private readonly object _gate = new();
    private ServerSession? _engagedBy;

    /// <summary>Records the request, or returns why it is refused (the runstop is then left as it is).</summary>
    public string? Request(ServerSession client, bool engage)
    {
        lock (_gate)
        {
            if (engage)
            {
                _engagedBy = client;
                return null;
            }
            string? refusal = client.Role switch
            {
                ClientRole.Supervisor => null,
                ClientRole.Operator when _engagedBy is null || _engagedBy == client || !isConnected(_engagedBy.Id) => null,
                ClientRole.Operator => $"releasing the runstop engaged by client {_engagedBy!.Id} ({_engagedBy.Remote}) needs the supervisor role, " +
                                       "or that client must release it",
                _ => $"releasing the runstop needs the operator or supervisor role; this client is a {client.Role.LevelName()}",
            };
            if (refusal is null)
            {
                _engagedBy = null;
            }
            return refusal;
        }
    }
}
