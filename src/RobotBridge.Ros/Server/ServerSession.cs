using System.Net;
using System.Net.WebSockets;
using System.Diagnostics;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Server;

/// <summary>One connected client: its socket, its outgoing queue and what it registered.</summary>
public sealed class ServerSession
{
    internal ServerSession(int id, WebSocket socket, EndPoint? remote, SessionOutbox outbox)
    {
        Id = id;
        Socket = socket;
        Remote = remote;
        Outbox = outbox;
    }

    public int Id { get; }
    public EndPoint? Remote { get; }
    internal WebSocket Socket { get; }
    internal SessionOutbox Outbox { get; }
    internal CancellationTokenSource Cancel { get; } = new();
    internal FragmentAssembler Fragments { get; init; } = new();
    internal bool Authenticated { get; set; }

    /// <summary>What this client may do (<see cref="ClientRole.Operator"/> when the server has no credentials).</summary>
    public ClientRole Role { get; internal set; } = ClientRole.Operator;
    internal int MessagesHandled { get; set; }

    /// <summary>Per topic (normalised name): the client's topic string and its subscription ids with their settings.</summary>
    internal Dictionary<string, SessionTopic> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>advertise ids per normalised topic.</summary>
    internal Dictionary<string, HashSet<string>> Advertised { get; } = new(StringComparer.Ordinal);

    /// <summary>Frames waiting to be sent to this client.</summary>
    public int QueuedFrames => Outbox.Count;

    /// <summary>Bytes waiting to be sent to this client.</summary>
    public long QueuedBytes => Outbox.Bytes;

    /// <summary>Topic messages replaced by newer ones because this client did not keep up.</summary>
    public long Dropped => Outbox.Dropped;

    /// <summary>Why the server disconnected this client (slow reader, …); null when the client left on its own.</summary>
    public string? DisconnectReason => Volatile.Read(ref _disconnectReason);
    private string? _disconnectReason;

    /// <summary>Queues a frame that must not be dropped (status, replies); a full queue disconnects the client.</summary>
    internal bool Send(PooledFrame frame) => Send(frame, null, 0);

    /// <summary>Queues a topic message; only the newest <paramref name="depth"/> of its topic stay queued, and a
    /// <paramref name="bulk"/> one (an image) is sent only when no other frame waits.</summary>
    internal bool Send(PooledFrame frame, string? topic, int depth, bool bulk = false)
    {
        if (Outbox.Enqueue(frame, topic, depth, bulk) is not { } reason)
        {
            return true;
        }
        Disconnect(reason);
        return false;
    }

    /// <summary>False when a message on <paramref name="topic"/> need not even be encoded for this client
    /// (it is not reading; a stall past the timeout disconnects it).</summary>
    internal bool Wants(string topic, int depth)
    {
        if (Outbox.Accepts(topic, depth, out string? stalled))
        {
            return true;
        }
        if (stalled is not null)
        {
            Disconnect(stalled);
        }
        return false;
    }

    /// <summary>Closes the link from the server side, recording why (first reason wins).</summary>
    internal void Disconnect(string reason)
    {
        if (Interlocked.CompareExchange(ref _disconnectReason, reason, null) is not null)
        {
            return;
        }
        Trace.TraceWarning($"rosbridge client {Id} ({Remote}) disconnected: {reason}");
        // Off the caller's thread: the caller may be the robot's publishing loop, which must not run the socket's teardown.
        _ = Task.Run(() =>
        {
            Socket.Abort();
            Cancel.Cancel();
        });
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
