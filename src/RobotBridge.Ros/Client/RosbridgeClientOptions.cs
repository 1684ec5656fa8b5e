using System.Net.Security;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Client;

/// <summary>How a <see cref="RosbridgeClient"/> reaches its server and supervises the connection.</summary>
public sealed record RosbridgeClientOptions
{
    public RosbridgeClientOptions(Uri uri) => Uri = uri;

    /// <summary>The rosbridge WebSocket, e.g. ws://fetch1068:9090.</summary>
    public Uri Uri { get; init; }

    public RosDialect Dialect { get; init; } = RosDialect.Ros1;

    /// <summary>First delay before a reconnect; doubles up to <see cref="ReconnectDelayMax"/>.</summary>
    public TimeSpan ReconnectDelayMin { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Limit on the WebSocket handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Default limit on call_service and action goals: rosbridge may never answer (reference §8.2).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Outgoing frames waiting for the socket; when full the oldest is dropped.</summary>
    public int SendQueueCapacity { get; init; } = 1024;

    /// <summary>Largest incoming message accepted (rosbridge sends each message as one frame of any size);
    /// a bigger one closes the link with status 1009.</summary>
    public int MaxMessageBytes
    {
        get => _maxMessageBytes;
        init => _maxMessageBytes = value is > 0 and <= 1024 * 1024 * 1024 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), value, "must be 1 byte to 1 GiB");
    }

    private readonly int _maxMessageBytes = 64 * 1024 * 1024;

    /// <summary>Size of the pooled buffer the socket is read into; every complete message in it is decoded
    /// before the next read. It grows for a message that does not fit (up to <see cref="MaxMessageBytes"/>).</summary>
    public int ReceiveBufferBytes { get; init; } = 256 * 1024;

    /// <summary>Checks the server's TLS certificate for wss:// (null: the system's trust store and host name check).</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    /// <summary>When set, outgoing text messages longer than this are split into <c>fragment</c> ops
    /// (needed for messages over 10 MiB to rosbridge 2).</summary>
    public int? FragmentSize { get; init; }

    /// <summary>rosauth credentials sent as the first message after every connect (ROS 1 with authenticate:=true).</summary>
    public RosAuthRequest? Auth { get; init; }
}
