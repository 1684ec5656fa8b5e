using System.Text;
using System.Text.Json;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Server;

public sealed partial class RosbridgeServer
{
    /// <summary>Handles one text frame; false closes the connection (failed auth).</summary>
    private bool HandleFrame(ServerSession session, ReadOnlyMemory<byte> frame)
    {
        IncomingMessage message;
        try
        {
            message = IncomingMessage.ParseJson(frame);
        }
        catch (RosbridgeFormatException e)
        {
            if (!session.Authenticated)
            {
                return false;
            }
            SendStatus(session, "error", $"bad frame: {e.Message}", null);
            return true;
        }
        using (message)
        {
            if (!session.Authenticated)
            {
                return Authenticate(session, message);
            }
            session.MessagesHandled++;
            try
            {
                Dispatch(session, message);
            }
            catch (Exception e) when (e is RosbridgeFormatException or JsonException or InvalidOperationException
                                           or FormatException or OverflowException or ArgumentException or AccessDeniedException)
            {
                SendStatus(session, "error", $"{message.Op}: {e.Message}", message.GetIdText());
            }
        }
        return true;
    }

    private void Dispatch(ServerSession session, IncomingMessage message)
    {
        switch (message.Op)
        {
            case "advertise": Advertise(session, message); break;
            case "unadvertise": Unadvertise(session, message); break;
            case "publish": Publish(session, message); break;
            case "subscribe": Subscribe(session, message); break;
            case "unsubscribe": Unsubscribe(session, message); break;
            case "call_service": CallService(session, message); break;
            case "advertise_service": AdvertiseService(session, message); break;
            case "unadvertise_service": UnadvertiseService(session, message); break;
            case "service_response": ServiceResponse(session, message); break;
            case "send_action_goal": SendActionGoal(session, message); break;
            case "cancel_action_goal": CancelActionGoal(session, message); break;
            case "fragment":
                if (session.Fragments.Add(message) is { } whole)
                {
                    HandleFrame(session, Encoding.UTF8.GetBytes(whole));
                }
                break;
            case "set_level":
                break;
            case "auth":
                SendStatus(session, "warning", _options.Credentials is null
                    ? "auth: this server does not require authentication"
                    : $"auth: already authenticated as {session.Role.LevelName()}; reconnect to change role", message.GetIdText());
                break;
            default:
                SendStatus(session, "error", $"unknown operation '{message.Op}'", message.GetIdText());
                break;
        }
    }

    private bool Authenticate(ServerSession session, IncomingMessage message)
    {
        if (message.Op != "auth")
        {
            SendStatus(session, "error", $"authentication required: the first message must be 'auth', got '{message.Op}'", null);
            return false;
        }
        ClientRole? role;
        string reason;
        try
        {
            role = _options.Credentials!.Verify(message, DateTimeOffset.UtcNow, out reason);
        }
        catch (Exception e) when (e is RosbridgeFormatException or InvalidOperationException or FormatException)
        {
            (role, reason) = (null, e.Message);
        }
        if (role is not { } granted)
        {
            SendStatus(session, "error", reason, null);
            return false;
        }
        session.Role = granted;
        session.Authenticated = true;
        Raise(() => ClientAuthenticated?.Invoke(session));
        return true;
    }

    /// <summary>Refuses an op the client's role does not allow.</summary>
    private static void RequireRole(ServerSession session, ClientRole needed, string what)
    {
        if (session.Role < needed)
        {
            throw new AccessDeniedException($"{what} needs the {needed.LevelName()} role; this client is a {session.Role.LevelName()}");
        }
    }

    private void Advertise(ServerSession session, IncomingMessage message)
    {
        string topic = message.Require("topic");
        string type = RosDialectExtensions.TwoSegment(message.Require("type"));
        string key = Normalize(topic);
        string id = message.GetIdText() ?? "";
        lock (_gate)
        {
            var entry = GetOrAddTopic(key);
            RequirePublishable(session, entry, topic);
            if (entry.Type is not null && entry.Type != type)
            {
                throw new RosbridgeFormatException($"tried to register topic {topic} with type {type} but it is already established with type {entry.Type}");
            }
            entry.Type = type;
            entry.Latched |= message.GetBool("latch") ?? false;
            if (!session.Advertised.TryGetValue(key, out var ids))
            {
                session.Advertised[key] = ids = [];
            }
            ids.Add(id);
        }
    }

    private void Unadvertise(ServerSession session, IncomingMessage message)
    {
        string key = Normalize(message.Require("topic"));
        string? id = message.GetIdText();
        lock (_gate)
        {
            if (session.Advertised.TryGetValue(key, out var ids))
            {
                if (id is null)
                {
                    ids.Clear();
                }
                else
                {
                    ids.Remove(id);
                }
                if (ids.Count == 0)
                {
                    session.Advertised.Remove(key);
                    ForgetIfUnused(key);
                }
            }
        }
    }

    private void Publish(ServerSession session, IncomingMessage message)
    {
        string topic = message.Require("topic");
        string key = Normalize(topic);
        Action<IncomingMessage, ServerSession>[] handlers;
        lock (_gate)
        {
            if (!_topics.TryGetValue(key, out var entry) || entry.Type is null)
            {
                throw new RosbridgeFormatException($"cannot infer topic type for topic {topic} as it is not yet advertised");
            }
            RequirePublishable(session, entry, topic);
            handlers = [.. entry.LocalHandlers];
        }
        foreach (var handler in handlers)
        {
            handler(message, session);
        }
        var body = message.GetElement("msg") ?? EmptyObject.RootElement;
        Fanout(key, new EncodedMessage(body, _options.Dialect), session);
    }

    /// <summary>The robot's own topics (state, sensors) are never published by clients: a client that could
    /// would feed the supervisor and every other client a state the robot is not in.</summary>
    private static void RequirePublishable(ServerSession session, ServerTopic entry, string topic)
    {
        if (entry.IsLocal)
        {
            throw new AccessDeniedException($"{topic} is published by the robot; clients cannot publish it");
        }
        RequireRole(session, entry.PublisherRole, $"publishing on {topic}");
    }

    private static readonly JsonDocument EmptyObject = JsonDocument.Parse("{}");

    private void Subscribe(ServerSession session, IncomingMessage message)
    {
        string topic = message.Require("topic");
        string key = Normalize(topic);
        string id = message.GetIdText() ?? "";
        string? type = message.GetString("type") is { } t ? RosDialectExtensions.TwoSegment(t) : null;
        int throttle = checked((int)(message.GetInt("throttle_rate") ?? 0));
        _ = message.GetInt("queue_length");
        _ = message.GetInt("fragment_size");
        var compression = CompressionNames.Parse(message.GetString("compression"));
        string? warning = null;
        EncodedMessage? latched = null;
        lock (_gate)
        {
            var entry = GetOrAddTopic(key);
            if (type is not null && entry.Type is not null && entry.Type != type)
            {
                throw new RosbridgeFormatException($"tried to subscribe to topic {topic} with type {type} but it is already established with type {entry.Type}");
            }
            entry.Type ??= type;
            if (entry.Type is null)
            {
                warning = $"subscribe: topic {topic} has no publisher or type yet; messages will flow once it is advertised";
            }
            if (compression == Compression.CborRaw)
            {
                warning = "subscribe: cbor-raw needs ROS serialisation, which this server does not have; sending cbor instead";
                compression = Compression.Cbor;
            }
            if (!session.Subscriptions.TryGetValue(key, out var sub))
            {
                session.Subscriptions[key] = sub = new SessionTopic(topic);
            }
            sub.ClientTopic = topic;
            sub.Ids[id] = (throttle, compression);
            latched = entry.LatchedMessage;
        }
        if (warning is not null)
        {
            SendStatus(session, "warning", warning, id);
        }
        if (latched is not null && session.Subscriptions.TryGetValue(key, out var s))
        {
            session.Send(latched.FrameFor(topic, s.Compression));
        }
    }

    private void Unsubscribe(ServerSession session, IncomingMessage message)
    {
        string key = Normalize(message.Require("topic"));
        string? id = message.GetIdText();
        lock (_gate)
        {
            if (!session.Subscriptions.TryGetValue(key, out var sub))
            {
                return;
            }
            if (id is null)
            {
                sub.Ids.Clear();
            }
            else
            {
                sub.Ids.Remove(id);
            }
            if (sub.Ids.Count == 0)
            {
                session.Subscriptions.Remove(key);
                ForgetIfUnused(key);
            }
        }
    }
}
