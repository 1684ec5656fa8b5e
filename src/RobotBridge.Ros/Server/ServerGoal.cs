using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Server;

/// <summary>
/// A ROS 2 action goal a client sent with send_action_goal, as seen by the local action provider:
/// send feedback, finish once with a status (ROS 2 codes: 4 succeeded, 5 canceled, 6 aborted),
/// and watch <see cref="CancelRequested"/> for cancel_action_goal or the client going away.
/// </summary>
public sealed class ServerGoal
{
    private readonly RosbridgeServer _server;
    private readonly bool _wantsFeedback;
    private int _finished;

    internal ServerGoal(RosbridgeServer server, ServerSession session, string id, string action, bool wantsFeedback)
    {
        _server = server;
        Session = session;
        Id = id;
        Action = action;
        _wantsFeedback = wantsFeedback;
    }

    public ServerSession Session { get; }
    public string Id { get; }
    public string Action { get; }
    internal CancellationTokenSource Cancellation { get; } = new();

    public CancellationToken CancelRequested => Cancellation.Token;

    public bool IsFinished => Volatile.Read(ref _finished) != 0;

    public void SendFeedback(IRosMessage feedback)
    {
        if (!_wantsFeedback || IsFinished)
        {
            return;
        }
        Session.Send(Frames.Json((this, feedback, _server.Dialect), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "action_feedback"u8);
            json.WriteString("id"u8, s.Item1.Id);
            json.WriteString("action"u8, s.Item1.Action);
            json.WritePropertyName("values"u8);
            s.feedback.Write(new JsonRosWriter(json, s.Dialect));
            json.WriteEndObject();
        }));
    }

    /// <summary>Sends the action_result (once; later calls are ignored).</summary>
    public void Finish(int status, IRosMessage result)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }
        _server.ForgetGoal(this);
        Session.Send(Frames.Json((this, result, status, _server.Dialect), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "action_result"u8);
            json.WriteString("id"u8, s.Item1.Id);
            json.WriteString("action"u8, s.Item1.Action);
            json.WritePropertyName("values"u8);
            s.result.Write(new JsonRosWriter(json, s.Dialect));
            json.WriteNumber("status"u8, s.status);
            json.WriteBoolean("result"u8, true);
            json.WriteEndObject();
        }));
    }
}
