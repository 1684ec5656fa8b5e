using System.Collections.Concurrent;
using System.Text.Json;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Server;

public sealed partial class RosbridgeServer
{
    private sealed record ForwardedCall(ServerSession Caller, string? CallerId, string Service, CancellationTokenSource Timeout);

    private readonly Dictionary<string, Func<IncomingMessage, Action<RosWriter>>> _localServices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ServerSession Session, string Type)> _providers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ForwardedCall> _forwarded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Type, Action<IncomingMessage, ServerGoal> Start)> _localActions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ServerGoal> _goals = new(StringComparer.Ordinal);
    private long _nextRequest;

    /// <summary>Provides a service to clients. The handler runs on the calling client's receive task;
    /// an exception becomes a failed service_response carrying its message.</summary>
    public void ProvideService<TRequest, TResponse>(string service, string type, Func<TRequest, TResponse> handler)
        where TRequest : IRosMessage, new() where TResponse : IRosMessage
    {
        lock (_gate)
        {
            _localServices[Normalize(service)] = call =>
            {
                var request = new TRequest();
                call.TryReadBody("args", request, strict: true);
                return handler(request).Write;
            };
        }
    }

    /// <summary>Provides a ROS 2 action (send_action_goal); <paramref name="start"/> must not block:
    /// it starts the work and later calls <see cref="ServerGoal.Finish"/>.</summary>
    public void ProvideAction<TGoal>(string action, Action<TGoal, ServerGoal> start) where TGoal : IActionPart, new()
    {
        lock (_gate)
        {
            _localActions[Normalize(action)] = (TGoal.ActionType, (message, goal) =>
            {
                var request = new TGoal();
                message.TryReadBody("args", request, strict: false);
                start(request, goal);
            }
            );
        }
    }

    private void RegisterRosapi()
    {
        ProvideService<TopicTypeRequest, TopicTypeResponse>("/rosapi/topic_type", "rosapi/TopicType", request =>
        {
            lock (_gate)
            {
                return new TopicTypeResponse
                {
                    Type = _topics.TryGetValue(Normalize(request.Topic), out var t) && t.Type is not null ? _options.Dialect.TypeName(t.Type) : "",
                };
            }
        });
        ProvideService<EmptyMsg, TopicsResponse>("/rosapi/topics", "rosapi/Topics", _ =>
        {
            var response = new TopicsResponse();
            foreach (var (topic, type) in Topics())
            {
                response.Topics.Add(topic);
                response.Types.Add(type);
            }
            return response;
        });
    }

    private static PooledFrame ServiceResponseFrame(string? id, string service, Action<Utf8JsonWriter> writeValues, bool result) =>
        Frames.Json((id, service, writeValues, result), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "service_response"u8);
            if (s.id is not null)
            {
                json.WriteString("id"u8, s.id);
            }
            json.WriteString("service"u8, s.service);
            json.WritePropertyName("values"u8);
            s.writeValues(json);
            json.WriteBoolean("result"u8, s.result);
            json.WriteEndObject();
        });

    private static PooledFrame Failure(string? id, string service, string error) =>
        ServiceResponseFrame(id, service, json => json.WriteStringValue(error), false);

    private void CallService(ServerSession session, IncomingMessage message)
    {
        string service = message.Require("service");
        string? id = message.GetIdText();
        string key = Normalize(service);
        Func<IncomingMessage, Action<RosWriter>>? local;
        (ServerSession Session, string Type) provider = default;
        bool forwarded;
        lock (_gate)
        {
            _localServices.TryGetValue(key, out local);
            forwarded = local is null && _providers.TryGetValue(key, out provider);
        }
        if (local is not null)
        {
            Action<RosWriter> values;
            try
            {
                values = local(message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                session.Send(Failure(id, service, $"{service}: {e.Message}"));
                return;
            }
            session.Send(ServiceResponseFrame(id, service, json => values(new JsonRosWriter(json, _options.Dialect)), true));
            return;
        }
        if (!forwarded)
        {
            session.Send(Failure(id, service, $"Service {service} does not exist"));
            return;
        }
        if (session.Role < ClientRole.Operator)
        {
            // What a client-provided service does is unknown: only those who may command get to call it.
            session.Send(Failure(id, service, $"calling {service} needs the operator role; this client is a {session.Role.LevelName()}"));
            return;
        }
        string requestId = $"service_request:{service}:{Interlocked.Increment(ref _nextRequest)}";
        var timeout = new CancellationTokenSource(_options.ProviderTimeout);
        _forwarded[requestId] = new ForwardedCall(session, id, service, timeout);
        timeout.Token.Register(() =>
        {
            if (_forwarded.TryRemove(requestId, out var call))
            {
                call.Caller.Send(Failure(call.CallerId, call.Service,
                    $"the client providing {call.Service} did not answer within {_options.ProviderTimeout.TotalSeconds:0.#} s"));
            }
        });
        var args = message.GetElement("args");
        provider.Session!.Send(Frames.Json((requestId, service, args), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "call_service"u8);
            json.WriteString("id"u8, s.requestId);
            json.WriteString("service"u8, s.service);
            json.WritePropertyName("args"u8);
            if (s.args is { } a)
            {
                a.WriteTo(json);
            }
            else
            {
                json.WriteStartObject();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }));
    }

    private void AdvertiseService(ServerSession session, IncomingMessage message)
    {
        string service = message.Require("service");
        string type = message.Require("type");
        RequireRole(session, ClientRole.Operator, $"providing {service}");
        lock (_gate)
        {
            _providers[Normalize(service)] = (session, type);
        }
    }

    private void UnadvertiseService(ServerSession session, IncomingMessage message)
    {
        string key = Normalize(message.Require("service"));
        lock (_gate)
        {
            if (_providers.TryGetValue(key, out var p) && p.Session == session)
            {
                _providers.Remove(key);
            }
        }
    }

    private void ServiceResponse(ServerSession session, IncomingMessage message)
    {
        string id = message.GetString("id") ?? throw new RosbridgeFormatException("service_response: expected a string 'id'");
        if (!_forwarded.TryRemove(id, out var call))
        {
            throw new RosbridgeFormatException($"service_response: no pending request with id {id}");
        }
        call.Timeout.Dispose();
        var values = message.GetElement("values");
        bool result = message.GetBool("result") ?? true;
        if (values is null)
        {
            call.Caller.Send(Failure(call.CallerId, call.Service, $"the provider of {call.Service} answered without 'values'"));
            return;
        }
        var v = values.Value;
        call.Caller.Send(ServiceResponseFrame(call.CallerId, call.Service, json => v.WriteTo(json), result));
    }

    /// <summary>A provider that disconnects stops providing (rosbridge keeps the stale handler; calls then hang).</summary>
    private void ForgetProvider(ServerSession session)
    {
        lock (_gate)
        {
            foreach (var (name, p) in _providers.ToArray())
            {
                if (p.Session == session)
                {
                    _providers.Remove(name);
                }
            }
        }
        foreach (var (id, goal) in _goals)
        {
            if (goal.Session == session && _goals.TryRemove(id, out _))
            {
                goal.Cancellation.Cancel();
            }
        }
    }

    private void SendActionGoal(ServerSession session, IncomingMessage message)
    {
        string action = message.Require("action");
        RequireRole(session, ClientRole.Operator, $"a goal on {action}");
        string id = message.GetIdText() ?? throw new RosbridgeFormatException("send_action_goal: expected an 'id' (needed to match the result and to cancel)");
        (string Type, Action<IncomingMessage, ServerGoal> Start) provider;
        lock (_gate)
        {
            if (!_localActions.TryGetValue(Normalize(action), out provider))
            {
                throw new RosbridgeFormatException($"send_action_goal: no action server for {action}");
            }
        }
        string requestedType = RosDialectExtensions.TwoSegment(message.Require("action_type"));
        if (requestedType != provider.Type)
        {
            throw new RosbridgeFormatException($"send_action_goal: {action} is a {provider.Type}, not a {requestedType}");
        }
        var goal = new ServerGoal(this, session, id, action, message.GetBool("feedback") ?? false);
        _goals[id] = goal;
        provider.Start(message, goal);
    }

    private void CancelActionGoal(ServerSession session, IncomingMessage message)
    {
        string id = message.GetIdText() ?? throw new RosbridgeFormatException("cancel_action_goal: expected an 'id'");
        RequireRole(session, ClientRole.Operator, "cancelling a goal");
        if (_goals.TryGetValue(id, out var goal))
        {
            goal.Cancellation.Cancel();
        }
    }

    internal void ForgetGoal(ServerGoal goal) => _goals.TryRemove(goal.Id, out _);
}
