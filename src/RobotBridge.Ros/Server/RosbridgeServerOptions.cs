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
    /// (MAC over a secret of the role named by its level); otherwise the socket is closed, as rosbridge 1
    /// with authenticate:=true. When null every client is an <see cref="ClientRole.Operator"/>.</summary>
    public ServerCredentials? Credentials { get; init; }

    /// <summary>How long a call forwarded to a client-provided service may take before the caller gets a failure.</summary>
    public TimeSpan ProviderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most frames queued for one client; a client that lets more pile up is disconnected as too slow.</summary>
    public int SendQueueCapacity { get; init; } = 1024;

    /// <summary>Most bytes queued for one client (the per-client memory bound); beyond it the client is disconnected as too slow.</summary>
    public long SendQueueBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Messages kept queued per robot topic (joint states, camera, …) for a client that lags: beyond
    /// these, one that waited over 50 ms is replaced by the newer, never delivered late. Two keep the Fetch's
    /// alternating body and gripper joint states.</summary>
    public int RobotTopicQueueDepth { get; init; } = 2;

    /// <summary>Newest messages kept queued per topic that clients publish to each other.</summary>
    public int ClientTopicQueueDepth { get; init; } = 16;

    /// <summary>A client whose socket has not accepted one frame for this long is disconnected as not reading.</summary>
    public TimeSpan SendStallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An incomplete fragmented message is dropped after this long.</summary>
    public TimeSpan FragmentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest message accepted from a client (rosbridge 2 uses 10 MiB and closes with 1009).</summary>
    public int MaxMessageBytes { get; init; } = 10 * 1024 * 1024;
}
