namespace RobotBridge.Ros.Client;

/// <summary>Where the supervised connection is.</summary>
public enum ConnectionState
{
    /// <summary>Not started yet, or disposed.</summary>
    Idle,
    Connecting,
    Connected,
    /// <summary>The socket failed or closed; a reconnect is scheduled.</summary>
    Lost,
}

/// <summary>A state change with its cause (null for a clean transition).</summary>
public sealed class ConnectionStateChangedEventArgs(ConnectionState previous, ConnectionState current, string? reason) : EventArgs
{
    public ConnectionState Previous { get; } = previous;
    public ConnectionState Current { get; } = current;
    public string? Reason { get; } = reason;
}

/// <summary>A <c>status</c> message from the server, or a problem the client found in what it received.</summary>
public sealed class RosbridgeStatusEventArgs(string level, string message, string? id) : EventArgs
{
    public string Level { get; } = level;
    public string Message { get; } = message;
    public string? Id { get; } = id;
    public override string ToString() => $"{Level}: {Message}" + (Id is null ? "" : $" (id {Id})");
}

/// <summary>A call could not be made or got no answer: not connected, timed out, connection lost.</summary>
public sealed class RosbridgeCallException(string message) : Exception(message);
