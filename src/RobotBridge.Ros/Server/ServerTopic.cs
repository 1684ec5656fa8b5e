using RobotBridge.Ros.Messages;

namespace RobotBridge.Ros.Server;

/// <summary>Everything the server knows about one topic (keyed by its name with a leading slash).</summary>
internal sealed class ServerTopic(string name)
{
    public string Name { get; } = name;

    /// <summary>Two-segment type name, or null while nobody has said what it is.</summary>
    public string? Type { get; set; }

    public List<Action<Protocol.IncomingMessage, ServerSession>> LocalHandlers { get; } = [];

    public bool Latched { get; set; }

    /// <summary>Last message when latched: new subscribers get it at once.</summary>
    public EncodedMessage? LatchedMessage { get; set; }

    /// <summary>The robot publishes it (sensors, state): clients may not.</summary>
    public bool IsLocal { get; set; }

    /// <summary>Large sensor data (images): each client's socket sends it only when no other message waits.</summary>
    public bool Bulk { get; set; }

    /// <summary>The least role that may publish on it; topics only clients use need an operator.</summary>
    public ClientRole PublisherRole { get; set; } = ClientRole.Operator;
}

/// <summary>A topic the server itself publishes (the robot's sensors). Publish encodes once per encoding
/// in use and fans out to every subscribed client.</summary>
public sealed class LocalPublisher<T> where T : IRosMessage
{
    private readonly RosbridgeServer _server;

    internal LocalPublisher(RosbridgeServer server, string topic)
    {
        _server = server;
        Topic = topic;
    }

    public string Topic { get; }

    /// <summary>True when some client subscribes (skip building expensive messages otherwise).</summary>
    public bool HasSubscribers => _server.HasSubscribers(Topic);

    public void Publish(T message) => _server.PublishLocal(Topic, message);
}
