using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Server;

/// <summary>
/// A ROS 1 actionlib server over the rosbridge server's topics (subscribes <c>goal</c> and
/// <c>cancel</c>; publishes <c>status</c> — call <see cref="PublishStatus"/> periodically —,
/// <c>feedback</c> and <c>result</c>) with the goal policy of actionlib's SimpleActionServer, which
/// fronts every controller of a Fetch:
/// <list type="bullet">
/// <item>a goal is taken only if its <c>goal_id.stamp</c> is not older than the current goal's and the
/// pending next goal's (the current goal's stamp is kept after it ends, whoever sent it); an older goal
/// ends RECALLED at once, as does a pending goal superseded before the executor took it, with
/// SimpleActionServer's text; a zero stamp means the server's now, an empty id gets one made up;</item>
/// <item>a cancel names a goal id, or every goal stamped up to its stamp, or (empty id, zero stamp) all;
/// a goal stamped at or before the latest cancel's stamp is recalled on arrival;</item>
/// <item>ended goals stay in the status list for 5 s (status_list_timeout).</item>
/// </list>
/// The executor (the robot node) takes the next goal with <see cref="TryAccept"/> and ends it with
/// <see cref="Finish"/>. Thread-safe.
/// </summary>
public sealed class ActionlibServer<TGoal, TResult, TFeedback>
    where TGoal : IActionPart, new() where TResult : IActionPart, new() where TFeedback : IActionPart, new()
{
    /// <summary>SimpleActionServer's text for a goal that lost to a newer one before it ran.</summary>
    public const string SupersededText = "This goal was canceled because another goal was received by the simple action server";

    /// <summary>ActionServer's text for a goal stamped before the latest cancel request.</summary>
    public const string CanceledBeforeText = "This goal handle was canceled by the action server because its timestamp is before the timestamp of the last cancel request";

    /// <summary>SimpleActionServer's text for the goal it makes active.</summary>
    public const string AcceptedText = "This goal has been accepted by the simple action server";

    private static readonly TimeSpan StatusListTimeout = TimeSpan.FromSeconds(5);

    private sealed class Tracked(string id, RosTime stamp)
    {
        public string Id { get; } = id;
        public RosTime Stamp { get; } = stamp;
        public byte Status { get; set; } = GoalStatusCode.Pending;
        public string Text { get; set; } = "";
        /// <summary>When an ended goal leaves the status list (robot clock).</summary>
        public TimeSpan RemoveAt { get; set; } = TimeSpan.MaxValue;
    }

    private readonly object _gate = new();
    private readonly List<Tracked> _goals = [];
    private Tracked? _current;
    private Tracked? _next;
    private RosTime _lastCancel;
    private readonly LocalPublisher<GoalStatusArray> _status;
    private readonly LocalPublisher<ActionResult<TResult>> _result;
    private readonly LocalPublisher<ActionFeedback<TFeedback>> _feedback;
    private readonly Func<TimeSpan> _now;
    private long _generated;

    /// <param name="now">The server's ROS time (the robot's clock): stamps zero-stamped goals and messages.</param>
    /// <param name="validate">Checks a goal before anything else (null = fine, else the reason it is REJECTED
    /// with); a rejected goal preempts nothing. Called on the receiving thread; must not block.</param>
    /// <param name="onGoal">A goal became the next goal (id, goal, sending client); the executor should
    /// <see cref="TryAccept"/> it. Must not block.</param>
    /// <param name="onCancel">Cancel requested for the goal with this id (current or pending).</param>
    public ActionlibServer(RosbridgeServer server, string name, Func<TimeSpan> now,
        Func<TGoal, string?> validate, Action<TGoal, string, ServerSession> onGoal, Action<string> onCancel,
        Action<TResult, string>? fillRejection = null)
    {
        Name = name;
        _now = now;
        _status = server.AdvertiseLocal<GoalStatusArray>(name + "/status");
        _result = server.AdvertiseLocal<ActionResult<TResult>>(name + "/result");
        _feedback = server.AdvertiseLocal<ActionFeedback<TFeedback>>(name + "/feedback");
        server.SubscribeLocal<ActionGoal<TGoal>>(name + "/goal", (goal, session) =>
        {
            string id = goal.GoalId.Id.Length > 0 ? goal.GoalId.Id : $"{name}-{Interlocked.Increment(ref _generated)}-{goal.GoalId.Stamp.Secs}";
            RosTime stamp = goal.GoalId.Stamp.IsZero ? RosTime.FromTimeSpan(_now()) : goal.GoalId.Stamp;
            if (validate(goal.Goal) is { } reason)
            {
                End(Track(id, stamp), GoalStatusCode.Rejected, reason, r => fillRejection?.Invoke(r, reason));
                return;
            }
            if (Offer(id, stamp))
            {
                onGoal(goal.Goal, id, session);
            }
        });
        server.SubscribeLocal<GoalId>(name + "/cancel", (cancel, _) =>
        {
            foreach (string id in CancelTargets(cancel))
            {
                onCancel(id);
            }
        });
    }

    public string Name { get; }

    /// <summary>True while <paramref name="goalId"/> is the pending next goal (not superseded, not recalled).</summary>
    public bool IsNext(string goalId)
    {
        lock (_gate)
        {
            return _next is { } next && next.Id == goalId;
        }
    }

    /// <summary>Makes the pending next goal <paramref name="goalId"/> the current one (ACTIVE); false when
    /// it was superseded or recalled meanwhile. The caller ends the goal it replaces first.</summary>
    public bool TryAccept(string goalId)
    {
        lock (_gate)
        {
            if (_next is not { } next || next.Id != goalId)
            {
                return false;
            }
            _current = next;
            _next = null;
            next.Status = GoalStatusCode.Active;
            next.Text = AcceptedText;
        }
        PublishStatus();
        return true;
    }

    private Tracked Track(string id, RosTime stamp)
    {
        var tracked = new Tracked(id, stamp);
        lock (_gate)
        {
            _goals.Add(tracked);
        }
        return tracked;
    }

    /// <summary>SimpleActionServer's goal callback: the stamp decides whether the goal is taken.</summary>
    private bool Offer(string id, RosTime stamp)
    {
        var goal = new Tracked(id, stamp);
        Tracked? superseded = null;
        string? refusal = null;
        lock (_gate)
        {
            _goals.Add(goal);
            if (Compare(stamp, _lastCancel) <= 0)
            {
                refusal = CanceledBeforeText;
            }
            else if ((_current is null || Compare(stamp, _current.Stamp) >= 0) && (_next is null || Compare(stamp, _next.Stamp) >= 0))
            {
                superseded = _next;
                _next = goal;
            }
            else
            {
                refusal = SupersededText;
            }
        }
        if (superseded is not null)
        {
            End(superseded, GoalStatusCode.Recalled, SupersededText);
        }
        if (refusal is not null)
        {
            End(goal, GoalStatusCode.Recalled, refusal);
            return false;
        }
        PublishStatus();
        return true;
    }

    private List<string> CancelTargets(GoalId cancel)
    {
        var targets = new List<string>();
        Tracked? recalled = null;
        lock (_gate)
        {
            bool all = cancel.Id.Length == 0 && cancel.Stamp.IsZero;
            foreach (var goal in new[] { _current, _next })
            {
                if (goal is null || GoalStatusCode.IsTerminal(goal.Status))
                {
                    continue;
                }
                if (all || goal.Id == cancel.Id || (!cancel.Stamp.IsZero && Compare(goal.Stamp, cancel.Stamp) <= 0))
                {
                    if (goal == _next)
                    {
                        // Not running yet: recalled here, the executor will find it gone.
                        _next = null;
                        recalled = goal;
                    }
                    else
                    {
                        targets.Add(goal.Id);
                    }
                }
            }
            if (Compare(cancel.Stamp, _lastCancel) > 0)
            {
                _lastCancel = cancel.Stamp;
            }
        }
        if (recalled is not null)
        {
            End(recalled, GoalStatusCode.Recalled, "");
        }
        return targets;
    }

    private static int Compare(RosTime a, RosTime b) => a.Secs != b.Secs ? a.Secs.CompareTo(b.Secs) : a.Nsecs.CompareTo(b.Nsecs);

    public void PublishStatus()
    {
        if (!_status.HasSubscribers)
        {
            return;
        }
        var now = _now();
        var array = new GoalStatusArray();
        array.Header.Stamp = RosTime.FromTimeSpan(now);
        lock (_gate)
        {
            _goals.RemoveAll(g => g.RemoveAt < now);
            foreach (var goal in _goals)
            {
                var s = new GoalStatus { Status = goal.Status, Text = goal.Text };
                s.GoalId.Id = goal.Id;
                s.GoalId.Stamp = goal.Stamp;
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
        lock (_gate)
        {
            if (_current is not { } current || current.Id != goalId)
            {
                return;
            }
            wrapper.Status.GoalId.Id = goalId;
            wrapper.Status.GoalId.Stamp = current.Stamp;
            wrapper.Status.Status = current.Status;
        }
        fill(wrapper.Payload);
        _feedback.Publish(wrapper);
    }

    /// <summary>Ends the current goal <paramref name="goalId"/> with a terminal status (Succeeded,
    /// Aborted, Preempted) and publishes its result; ignored for a goal that already ended.</summary>
    public void Finish(string goalId, byte status, string text, Action<TResult>? fill = null)
    {
        Tracked? goal;
        lock (_gate)
        {
            goal = _goals.Find(g => g.Id == goalId && !GoalStatusCode.IsTerminal(g.Status));
        }
        if (goal is not null)
        {
            End(goal, status, text, fill);
        }
    }

    private void End(Tracked goal, byte status, string text, Action<TResult>? fill = null)
    {
        lock (_gate)
        {
            if (GoalStatusCode.IsTerminal(goal.Status))
            {
                return;
            }
            goal.Status = status;
            goal.Text = text;
            goal.RemoveAt = _now() + StatusListTimeout;
        }
        var wrapper = new ActionResult<TResult>();
        wrapper.Header.Stamp = RosTime.FromTimeSpan(_now());
        wrapper.Status.GoalId.Id = goal.Id;
        wrapper.Status.GoalId.Stamp = goal.Stamp;
        wrapper.Status.Status = status;
        wrapper.Status.Text = text;
        fill?.Invoke(wrapper.Payload);
        _result.Publish(wrapper);
        PublishStatus();
    }
}
