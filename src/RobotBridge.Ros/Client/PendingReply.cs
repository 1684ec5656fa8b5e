using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Client;

/// <summary>A request waiting for the server's answer (service_response, action_feedback/result).</summary>
internal abstract class PendingReply(string what)
{
    public string What { get; } = what;

    /// <summary>Handles one reply; returns true when the request is finished.</summary>
    public abstract bool OnReply(IncomingMessage reply);

    public abstract void Fail(Exception error);
}

/// <summary>The request side of a provided service, with the handler that answers it.</summary>
internal sealed class ServiceProvider(string service, string type, Func<IncomingMessage, Action<Serialization.RosWriter>> handler)
{
    public string Service { get; } = service;
    public string Type { get; } = type;
    public Func<IncomingMessage, Action<Serialization.RosWriter>> Handler { get; } = handler;
}
