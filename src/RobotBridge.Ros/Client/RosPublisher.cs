using RobotBridge.Ros.Messages;

namespace RobotBridge.Ros.Client;

/// <summary>
/// An advertised topic. <see cref="Publish"/> never blocks and never throws for link problems: while
/// disconnected it drops the message (a stale command must not be replayed after a reconnect) and
/// counts it. The client re-advertises after every reconnect.
/// </summary>
public sealed class RosPublisher<T> : IDisposable where T : IRosMessage
{
    private readonly RosbridgeClient _client;
    private long _published;
    private long _dropped;

    internal RosPublisher(RosbridgeClient client, string topic, string type, string id, bool latch, int queueSize)
    {
        _client = client;
        Topic = topic;
        Type = type;
        Id = id;
        Latch = latch;
        QueueSize = queueSize;
    }

    public string Topic { get; }
    public string Type { get; }
    public string Id { get; }
    public bool Latch { get; }
    public int QueueSize { get; }
    public long Published => Interlocked.Read(ref _published);
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues the message for sending; false when it was dropped because the link is down.</summary>
    public bool Publish(T message)
    {
        bool sent = _client.SendPublish(Topic, message);
        Interlocked.Increment(ref sent ? ref _published : ref _dropped);
        return sent;
    }

    public void Dispose() => _client.Unadvertise(this);
}
