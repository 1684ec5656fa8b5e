using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Server;

/// <summary>One connected client: its socket, its outgoing queue and what it registered.</summary>
public sealed class ServerSession
{
    internal ServerSession(int id, WebSocket socket, EndPoint? remote, int queueCapacity)
    {
        Id = id;
        Socket = socket;
        Remote = remote;
        Outgoing = Channel.CreateBounded<PooledFrame>(
            new BoundedChannelOptions(queueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped =>
            {
                Interlocked.Increment(ref _dropped);
                dropped.Dispose();
            });
    }

    public int Id { get; }
    public EndPoint? Remote { get; }
    internal WebSocket Socket { get; }
    internal Channel<PooledFrame> Outgoing { get; }
    internal CancellationTokenSource Cancel { get; } = new();
    internal FragmentAssembler Fragments { get; } = new();
    internal bool Authenticated { get; set; }
    internal int MessagesHandled { get; set; }

    /// <summary>Per topic (normalised name): the client's topic string and its subscription ids with their settings.</summary>
    internal Dictionary<string, SessionTopic> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>advertise ids per normalised topic.</summary>
    internal Dictionary<string, HashSet<string>> Advertised { get; } = new(StringComparer.Ordinal);

    /// <summary>Frames waiting to be sent to this client.</summary>
    public int QueuedFrames => Outgoing.Reader.Count;

    /// <summary>Frames dropped because this client did not keep up.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    private long _dropped;

    internal bool Send(PooledFrame frame)
    {
        if (Outgoing.Writer.TryWrite(frame))
        {
            return true;
        }
        frame.Dispose();
        return false;
    }
}

/// <summary>A client's subscriptions to one topic, combined as rosbridge does: one delivery per
/// message, the smallest throttle, the highest-priority compression.</summary>
internal sealed class SessionTopic(string clientTopic)
{
    public string ClientTopic { get; set; } = clientTopic;
    public Dictionary<string, (int ThrottleMs, Compression Compression)> Ids { get; } = new(StringComparer.Ordinal);
    public long LastSentTimestamp { get; set; }

    public int ThrottleMs => Ids.Count == 0 ? 0 : Ids.Values.Min(v => v.ThrottleMs);

    public Compression Compression => Ids.Count == 0 ? Compression.None : Ids.Values.MaxBy(v => v.Compression.Priority()).Compression;
}
