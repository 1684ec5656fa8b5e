using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Client;

/// <summary>ROS 2 action_msgs/GoalStatus codes as carried by rosbridge's action_result.</summary>
public static class Ros2GoalStatus
{
    public const int Unknown = 0, Accepted = 1, Executing = 2, Canceling = 3, Succeeded = 4, Canceled = 5, Aborted = 6;
}

/// <summary>How a ROS 2 action goal ended: the status code, rosbridge's result flag and the result values.</summary>
public sealed record ActionOutcome<TResult>(int Status, bool Result, TResult? Values, string? Error)
{
    public bool Succeeded => Result && Status == Ros2GoalStatus.Succeeded;
}

/// <summary>A goal sent with the ROS 2 action ops (send_action_goal / cancel_action_goal).</summary>
public sealed class ActionGoalHandle<TResult> where TResult : IRosMessage, new()
{
    private readonly RosbridgeClient _client;

    internal ActionGoalHandle(RosbridgeClient client, string id, string action, Task<ActionOutcome<TResult>> outcome)
    {
        _client = client;
        Id = id;
        Action = action;
        Outcome = outcome;
    }

    public string Id { get; }
    public string Action { get; }

    /// <summary>Completes with the action_result, or faults on timeout / connection loss.</summary>
    public Task<ActionOutcome<TResult>> Outcome { get; }

    public bool Cancel() => _client.TrySend(Frames.Json((Id, Action), static (json, s) =>
    {
        json.WriteStartObject();
        json.WriteString("op"u8, "cancel_action_goal"u8);
        json.WriteString("id"u8, s.Id);
        json.WriteString("action"u8, s.Action);
        json.WriteEndObject();
    }));
}

public sealed partial class RosbridgeClient
{
    private sealed class ActionCall<TResult, TFeedback>(string what, Action<TFeedback>? onFeedback) : PendingReply(what)
        where TResult : IRosMessage, new() where TFeedback : IRosMessage, new()
    {
        private readonly TFeedback _feedback = new();

        public TaskCompletionSource<ActionOutcome<TResult>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool OnReply(IncomingMessage reply)
        {
            if (reply.Op == "action_feedback")
            {
                if (onFeedback is not null && reply.TryReadBody("values", _feedback))
                {
                    onFeedback(_feedback);
                }
                return false;
            }
            int status = (int)(reply.GetInt("status") ?? 0);
            bool result = reply.GetBool("result") ?? false;
            if (!result)
            {
                string error = reply.GetString("values") ?? reply.GetElement("values")?.GetRawText() ?? "no reason given";
                Completion.TrySetResult(new ActionOutcome<TResult>(status, false, default, error));
                return true;
            }
            var values = new TResult();
            reply.TryReadBody("values", values);
            Completion.TrySetResult(new ActionOutcome<TResult>(status, true, values, null));
            return true;
        }

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }

    /// <summary>
    /// Sends a ROS 2 action goal (send_action_goal with feedback). The outcome is timed out after
    /// <paramref name="timeout"/>: rosbridge 2 never answers a rejected goal (reference §2.3.13).
    /// </summary>
    public ActionGoalHandle<TResult> SendActionGoal<TGoal, TResult, TFeedback>(string action, TGoal goal,
        TimeSpan timeout, Action<TFeedback>? onFeedback = null)
        where TGoal : IActionPart where TResult : IRosMessage, new() where TFeedback : IRosMessage, new()
    {
        string id = NextId("send_action_goal", action);
        var call = new ActionCall<TResult, TFeedback>($"send_action_goal {action}", onFeedback);
        _pending[id] = call;
        string actionType = RosDialect.Ros2.TypeName(TGoal.ActionType, "action");
        var frame = Frames.Json((id, action, actionType, goal, Dialect), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "send_action_goal"u8);
            json.WriteString("id"u8, s.id);
            json.WriteString("action"u8, s.action);
            json.WriteString("action_type"u8, s.actionType);
            json.WritePropertyName("args"u8);
            s.goal.Write(new JsonRosWriter(json, s.Dialect));
            json.WriteBoolean("feedback"u8, true);
            json.WriteEndObject();
        });
        if (State != ConnectionState.Connected || !TrySend(frame))
        {
            _pending.TryRemove(id, out _);
            call.Fail(new RosbridgeCallException($"send_action_goal {action}: not connected to {_options.Uri}"));
            return new ActionGoalHandle<TResult>(this, id, action, call.Completion.Task);
        }
        var outcome = AwaitReplyAsync(id, call.Completion.Task, call, timeout, CancellationToken.None);
        return new ActionGoalHandle<TResult>(this, id, action, outcome);
    }
}
