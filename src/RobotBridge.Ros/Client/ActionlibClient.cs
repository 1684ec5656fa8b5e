using System.Collections.Concurrent;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Client;

/// <summary>How an actionlib goal ended (ROS 1 GoalStatus code, its text and the result payload).</summary>
/// <param name="Superseded">This client had sent a newer goal to the same server, or cancelled this one,
/// before the outcome came: a PREEMPTED or RECALLED goal then ended as its sender meant.</param>
/// <param name="Result">The result payload; a fresh (default) one when the outcome was read from the
/// status topic because no result message came (see <see cref="ActionlibClient{TGoal, TResult, TFeedback}.ResultGrace"/>).</param>
public sealed record ActionlibOutcome<TResult>(byte Status, string Text, TResult Result, bool Superseded = false)
{
    public bool Succeeded => Status == GoalStatusCode.Succeeded;

    /// <summary>"RECALLED (8)" and the like.</summary>
    public string StatusName => GoalStatusCode.Name(Status);

    public override string ToString() => Text.Length == 0 ? StatusName : $"{StatusName}: {Text}";
}

/// <summary>
/// A ROS 1 actionlib client over rosbridge topics (<c>goal</c>, <c>cancel</c> advertised;
/// <c>status</c>, <c>result</c> subscribed), as roslib's ActionClient. Goals are stamped with ROS time
/// from a <see cref="RosStampClock"/> (a SimpleActionServer drops goals older than its last one) and
/// matched to results by goal id. A goal ends at once with whatever terminal status the server gives it
/// (REJECTED, RECALLED, PREEMPTED, ABORTED with the server's text, or SUCCEEDED): from its result
/// message, or from the status topic when no result follows within <see cref="ResultGrace"/>. Every
/// goal is also timed out by the client, because a goal the server never answers would wait forever.
/// </summary>
public sealed class ActionlibClient<TGoal, TResult, TFeedback> : IDisposable
    where TGoal : IActionPart, new() where TResult : IActionPart, new() where TFeedback : IActionPart, new()
{
    /// <summary>How long a terminal status seen on the status topic waits for its result message
    /// (which carries the payload) before the goal ends without one.</summary>
    public static readonly TimeSpan ResultGrace = TimeSpan.FromMilliseconds(250);

    private readonly RosbridgeClient _client;
    private readonly RosStampClock _stamps;
    private readonly RosPublisher<ActionGoal<TGoal>> _goal;
    private readonly RosPublisher<GoalId> _cancel;
    private readonly RosSubscription<ActionResult<TResult>> _result;
    private readonly RosSubscription<GoalStatusArray> _status;
    private readonly ConcurrentDictionary<string, PendingGoal> _pending = new(StringComparer.Ordinal);
    private long _next;
    private long _latestSent;
    private long _cancelledThrough;

    /// <param name="stamps">The ROS time goals are stamped with; share one per robot connection.</param>
    public ActionlibClient(RosbridgeClient client, string serverName, RosStampClock stamps)
    {
        _client = client;
        _stamps = stamps;
        ServerName = serverName;
        _goal = client.Advertise<ActionGoal<TGoal>>(serverName + "/goal");
        _cancel = client.Advertise<GoalId>(serverName + "/cancel");
        _result = client.Subscribe<ActionResult<TResult>>(serverName + "/result", onMessage: OnResult);
        _status = client.Subscribe<GoalStatusArray>(serverName + "/status", new SubscribeOptions { ThrottleRateMs = 0 }, OnStatus);
    }

    public string ServerName { get; }

    /// <summary>True once the server's status topic has been heard (the action server exists).</summary>
    public bool ServerSeen => _status.Received > 0;

    public Task<bool> WaitForServerAsync(TimeSpan timeout) => _status.WaitForFirstMessageAsync(timeout);

    /// <summary>Publishes a goal stamped now (header and goal id alike); the task completes with the goal's
    /// terminal status, or faults with <see cref="RosbridgeCallException"/> when the goal could not be
    /// sent or got no answer in time.</summary>
    public (string GoalId, Task<ActionlibOutcome<TResult>> Outcome) SendGoal(Action<TGoal> fill, TimeSpan timeout)
    {
        long sequence = Interlocked.Increment(ref _next);
        string id = $"goal_{sequence}_{Guid.NewGuid():N}";
        var message = new ActionGoal<TGoal>();
        message.Header.Stamp = _stamps.Now();
        message.GoalId.Id = id;
        message.GoalId.Stamp = message.Header.Stamp;
        fill(message.Goal);
        var pending = new PendingGoal(sequence);
        _pending[id] = pending;
        if (!_goal.Publish(message))
        {
            _pending.TryRemove(id, out _);
            pending.Completion.TrySetException(new RosbridgeCallException($"{ServerName}: goal not sent, not connected"));
            return (id, pending.Completion.Task);
        }
        RaiseTo(ref _latestSent, sequence);
        return (id, WithTimeout(id, pending.Completion, timeout));
    }

    private async Task<ActionlibOutcome<TResult>> WithTimeout(string id, TaskCompletionSource<ActionlibOutcome<TResult>> completion, TimeSpan timeout)
    {
        var finished = await Task.WhenAny(completion.Task, Task.Delay(timeout)).ConfigureAwait(false);
        if (finished != completion.Task && _pending.TryRemove(id, out _))
        {
            completion.TrySetException(new RosbridgeCallException($"{ServerName}: no result for goal {id} within {timeout.TotalSeconds:0.#} s"));
        }
        return await completion.Task.ConfigureAwait(false);
    }

    private void OnResult(ActionResult<TResult> result)
    {
        if (!_pending.TryRemove(result.Status.GoalId.Id, out var pending))
        {
            return;
        }
        // The instance is reused by the subscription: hand out a copy of the payload.
        var copy = new TResult();
        using (var body = Protocol.Frames.JsonBody(result.Payload, _client.Dialect))
        using (var doc = System.Text.Json.JsonDocument.Parse(body.Memory))
        {
            copy.Read(new JsonRosReader(doc.RootElement));
        }
        pending.Completion.TrySetResult(new ActionlibOutcome<TResult>(result.Status.Status, result.Status.Text, copy, IsSuperseded(pending)));
    }

    /// <summary>A terminal status on the status topic ends the goal if its result message does not
    /// follow: a result can be lost (published before rosbridge's subscription was in place), while
    /// the status list repeats every goal's status for seconds after it ended.</summary>
    private void OnStatus(GoalStatusArray array)
    {
        foreach (var status in array.StatusList)
        {
            if (!GoalStatusCode.IsTerminal(status.Status) || !_pending.TryGetValue(status.GoalId.Id, out var pending)
                || Interlocked.Exchange(ref pending.TerminalSeen, 1) != 0)
            {
                continue;
            }
            // The message is reused by the subscription: keep what the timer needs.
            string id = status.GoalId.Id;
            byte code = status.Status;
            string text = status.Text;
            _ = Task.Delay(ResultGrace).ContinueWith(_ =>
            {
                if (_pending.TryRemove(id, out var stillPending))
                {
                    stillPending.Completion.TrySetResult(new ActionlibOutcome<TResult>(code, text, new TResult(), IsSuperseded(stillPending)));
                }
            }, TaskScheduler.Default);
        }
    }

    private bool IsSuperseded(PendingGoal goal) =>
        goal.Sequence < Interlocked.Read(ref _latestSent) || goal.Sequence <= Interlocked.Read(ref _cancelledThrough)
        || Volatile.Read(ref goal.Cancelled) != 0;

    /// <summary>Cancels one goal, or every goal when <paramref name="goalId"/> is null.</summary>
    public bool Cancel(string? goalId = null)
    {
        if (goalId is null)
        {
            RaiseTo(ref _cancelledThrough, Interlocked.Read(ref _latestSent));
        }
        else if (_pending.TryGetValue(goalId, out var pending))
        {
            Volatile.Write(ref pending.Cancelled, 1);
        }
        return _cancel.Publish(new GoalId { Id = goalId ?? "" });
    }

    private static void RaiseTo(ref long field, long value)
    {
        long seen = Interlocked.Read(ref field);
        while (value > seen)
        {
            long was = Interlocked.CompareExchange(ref field, value, seen);
            if (was == seen)
            {
                return;
            }
            seen = was;
        }
    }

    /// <summary>Fails every goal still waiting (link lost: results may never come).</summary>
    public void FailPending(string reason)
    {
        foreach (var (id, pending) in _pending)
        {
            if (_pending.TryRemove(id, out _))
            {
                pending.Completion.TrySetException(new RosbridgeCallException($"{ServerName}: {reason}"));
            }
        }
    }

    public int PendingGoals => _pending.Count;

    public void Dispose()
    {
        _goal.Dispose();
        _cancel.Dispose();
        _result.Dispose();
        _status.Dispose();
        FailPending("client disposed");
    }

    /// <summary>A goal sent and not yet ended: its order among this client's goals and what became of it.</summary>
    private sealed class PendingGoal(long sequence)
    {
        public long Sequence { get; } = sequence;
        public TaskCompletionSource<ActionlibOutcome<TResult>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Cancelled;
        public int TerminalSeen;
    }
}
