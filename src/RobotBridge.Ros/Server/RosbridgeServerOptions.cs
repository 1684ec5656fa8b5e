using System.Net;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Server;

/// <summary>Where the server listens and how it behaves.</summary>
public sealed record RosbridgeServerOptions
{
    /// <summary>Loopback by default: serving a robot to the network is an explicit choice.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>9090 as rosbridge; 0 picks a free port (tests).</summary>
    public int Port { get; init; } = 9090;

    /// <summary>How time fields and type names are written in what the server sends.</summary>
    public RosDialect Dialect { get; init; } = RosDialect.Ros1;

    /// <summary>When set, the first message of every connection must be a valid rosauth <c>auth</c> op
    /// (MAC over this secret); otherwise the socket is closed, as rosbridge 1 with authenticate:=true.</summary>
    public string? AuthSecret { get; init; }

    /// <summary>How long a call forwarded to a client-provided service may take before the caller gets a failure.</summary>
    public TimeSpan ProviderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Per-client queue of outgoing frames; when full the oldest is dropped (a slow client
    /// loses old messages instead of growing the server's memory).</summary>
    public int SendQueueCapacity { get; init; } = 256;

    /// <summary>Largest message accepted from a client (rosbridge 2 uses 10 MiB and closes with 1009).</summary>
    public int MaxMessageBytes { get; init; } = 10 * 1024 * 1024;
}
