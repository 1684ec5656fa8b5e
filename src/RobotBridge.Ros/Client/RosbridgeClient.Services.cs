using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Client;

public sealed partial class RosbridgeClient
{
    private sealed class ServiceCall<TResponse>(string what) : PendingReply(what) where TResponse : IRosMessage, new()
    {
        public TaskCompletionSource<TResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool OnReply(IncomingMessage reply)
        {
            if (reply.GetBool("result") == true)
            {
                var response = new TResponse();
                try
                {
                    reply.TryReadBody("values", response);
                    Completion.TrySetResult(response);
                }
                catch (RosbridgeFormatException e)
                {
                    Completion.TrySetException(e);
                }
            }
            else
            {
                string detail = reply.GetString("values") ?? reply.GetElement("values")?.GetRawText() ?? "no reason given";
                Completion.TrySetException(new RosbridgeCallException($"{What} failed: {detail}"));
            }
            return true;
        }

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }

    /// <summary>
    /// Calls a ROS service. Completes with the response, or faults with <see cref="RosbridgeCallException"/>
    /// when not connected, when the service reports failure, on timeout (default
    /// <see cref="RosbridgeClientOptions.CallTimeout"/>), or when the connection drops.
    /// </summary>
    public async Task<TResponse> CallServiceAsync<TResponse>(string service, IRosMessage? request = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default) where TResponse : IRosMessage, new()
    {
        string id = NextId("call_service", service);
        var call = new ServiceCall<TResponse>($"call_service {service}");
        _pending[id] = call;
        var frame = Frames.Json((id, service, request, Dialect), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "call_service"u8);
            json.WriteString("id"u8, s.id);
            json.WriteString("service"u8, s.service);
            json.WritePropertyName("args"u8);
            if (s.request is null)
            {
                json.WriteStartObject();
                json.WriteEndObject();
            }
            else
            {
                s.request.Write(new JsonRosWriter(json, s.Dialect));
            }
            json.WriteEndObject();
        });
        if (State != ConnectionState.Connected || !TrySend(frame))
        {
            _pending.TryRemove(id, out _);
            throw new RosbridgeCallException($"call_service {service}: not connected to {_options.Uri}");
        }
        return await AwaitReplyAsync(id, call.Completion.Task, call, timeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TResult> AwaitReplyAsync<TResult>(string id, Task<TResult> reply, PendingReply pending,
        TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var limit = timeout ?? _options.CallTimeout;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(limit);
        var finished = await Task.WhenAny(reply, Task.Delay(Timeout.InfiniteTimeSpan, timer.Token)).ConfigureAwait(false);
        if (finished != reply && _pending.TryRemove(id, out _))
        {
            pending.Fail(cancellationToken.IsCancellationRequested
                ? new OperationCanceledException(cancellationToken)
                : new RosbridgeCallException($"{pending.What}: no reply within {limit.TotalSeconds:0.###} s " +
                                             "(rosbridge reports neither missing services nor rejected goals)"));
        }
        return await reply.ConfigureAwait(false);
    }

    private void CompletePending(IncomingMessage message)
    {
        string id = message.GetIdText() ?? throw new RosbridgeFormatException($"{message.Op} without an 'id'");
        if (_pending.TryGetValue(id, out var pending) && pending.OnReply(message))
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Provides a service to ROS through the server (advertise_service); re-advertised after reconnects.
    /// The handler runs on the receive thread. A handler exception is answered with
    /// <c>result:false</c> (rosbridge ignores that flag, but at least the caller is not left hanging).
    /// </summary>
    public IDisposable AdvertiseService<TRequest, TResponse>(string service, string type, Func<TRequest, TResponse> handler)
        where TRequest : IRosMessage, new() where TResponse : IRosMessage
    {
        var provider = new ServiceProvider(service, _options.Dialect.TypeName(type, "srv"), call =>
        {
            var request = new TRequest();
            call.TryReadBody("args", request);
            var response = handler(request);
            return response.Write;
        });
        lock (_gate)
        {
            _services[service] = provider;
            if (_connection is { } c)
            {
                Enqueue(c, AdvertiseServiceFrame(provider.Service, provider.Type));
            }
        }
        return new ServiceRegistration(this, service);
    }

    private sealed class ServiceRegistration(RosbridgeClient client, string service) : IDisposable
    {
        public void Dispose()
        {
            lock (client._gate)
            {
                if (client._services.Remove(service) && client._connection is { } c)
                {
                    Enqueue(c, Frames.Json(service, static (json, s) =>
                    {
                        json.WriteStartObject();
                        json.WriteString("op"u8, "unadvertise_service"u8);
                        json.WriteString("service"u8, s);
                        json.WriteEndObject();
                    }));
                }
            }
        }
    }

    private void ServeCall(IncomingMessage call)
    {
        string service = call.Require("service");
        string? id = call.GetIdText();
        ServiceProvider? provider;
        lock (_gate)
        {
            _services.TryGetValue(service, out provider);
        }
        if (provider is null)
        {
            Report("warning", $"server forwarded a call to {service}, which this client does not provide", id);
            return;
        }
        Action<RosWriter>? writeValues = null;
        string? error = null;
        try
        {
            writeValues = provider.Handler(call);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = $"{service} handler threw {e.GetType().Name}: {e.Message}";
            Report("error", error, id);
        }
        TrySend(Frames.Json((id, service, writeValues, error, Dialect), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "service_response"u8);
            if (s.id is not null)
            {
                json.WriteString("id"u8, s.id);
            }
            json.WriteString("service"u8, s.service);
            json.WritePropertyName("values"u8);
            if (s.writeValues is not null)
            {
                s.writeValues(new JsonRosWriter(json, s.Dialect));
            }
            else
            {
                json.WriteStringValue(s.error);
            }
            json.WriteBoolean("result"u8, s.writeValues is not null);
            json.WriteEndObject();
        }));
    }
}
