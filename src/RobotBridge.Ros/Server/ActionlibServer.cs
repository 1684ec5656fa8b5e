using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Server;

/// <summary>
/// A ROS 1 actionlib server over the rosbridge server's topics: subscribes <c>goal</c> and
/// <c>cancel</c>, publishes <c>status</c> (call <see cref="PublishStatus"/> periodically),
/// <c>feedback</c> and <c>result</c>. This is what roslib's ActionClient talks to.
/// </summary>
public sealed class ActionlibServer<TGoal, TResult, TFeedback>
    where TGoal : IActionPart, new() where TResult : IActionPart, new() where TFeedback : IActionPart, new()
{
    private readonly object _gate = new();
    private readonly Dictionary<string, byte> _active = new(StringComparer.Ordinal);
    private readonly LocalPublisher<GoalStatusArray> _status;
    private readonly LocalPublisher<ActionResult<TResult>> _result;
    private readonly LocalPublisher<ActionFeedback<TFeedback>> _feedback;
    private readonly Func<TimeSpan> _now;

    /// <param name="onGoal">Called with the goal, its id and the sending client; must not block.</param>
    /// <param name="onCancel">Called with the goal id to cancel ("" = all goals).</param>
    public ActionlibServer(RosbridgeServer server, string name, Func<TimeSpan> now,
        Action<TGoal, string, ServerSession> onGoal, Action<string> onCancel)
    {
        Name = name;
        _now = now;
        _status = server.AdvertiseLocal<GoalStatusArray>(name + "/status");
        _result = server.AdvertiseLocal<ActionResult<TResult>>(name + "/result");
        _feedback = server.AdvertiseLocal<ActionFeedback<TFeedback>>(name + "/feedback");
        server.SubscribeLocal<ActionGoal<TGoal>>(name + "/goal", (goal, session) =>
        {
            string id = goal.GoalId.Id.Length > 0 ? goal.GoalId.Id : $"{name}-{Guid.NewGuid():N}";
            lock (_gate)
            {
                _active[id] = GoalStatusCode.Active;
            }
            onGoal(goal.Goal, id, session);
        });
        server.SubscribeLocal<GoalId>(name + "/cancel", (cancel, _) =>
        {
            if (cancel.Id.Length == 0)
            {
                string[] all;
                lock (_gate)
                {
                    all = [.. _active.Keys];
                }
                foreach (var id in all)
                {
                    onCancel(id);
                }
            }
            else
            {
                onCancel(cancel.Id);
            }
        });
    }

    public string Name { get; }

    public void PublishStatus()
    {
        if (!_status.HasSubscribers)
        {
            return;
        }
        var array = new GoalStatusArray();
        array.Header.Stamp = RosTime.FromTimeSpan(_now());
        lock (_gate)
        {
            foreach (var (id, status) in _active)
            {
                var s = new GoalStatus { Status = status };
                s.GoalId.Id = id;
                array.StatusList.Add(s);
            }
        }
        _status.Publish(array);
    }

    public void Feedback(string goalId, Action<TFeedback> fill)
    {
        if (!_feedback.HasSubscribers)
        {
            return;
        }
        var wrapper = new ActionFeedback<TFeedback>();
        wrapper.Header.Stamp = RosTime.FromTimeSpan(_now());
        wrapper.Status.GoalId.Id = goalId;
        wrapper.Status.Status = GoalStatusCode.Active;
        fill(wrapper.Payload);
        _feedback.Publish(wrapper);
    }

    /// <summary>Publishes the result with a terminal status (Succeeded, Aborted, Preempted, Rejected).</summary>
    public void Finish(string goalId, byte status, string text, Action<TResult>? fill = null)
    {
        lock (_gate)
        {
            _active.Remove(goalId);
        }
        var wrapper = new ActionResult<TResult>();
        wrapper.Header.Stamp = RosTime.FromTimeSpan(_now());
        wrapper.Status.GoalId.Id = goalId;
        wrapper.Status.Status = status;
        wrapper.Status.Text = text;
        fill?.Invoke(wrapper.Payload);
        _result.Publish(wrapper);
        PublishStatus();
    }
}
