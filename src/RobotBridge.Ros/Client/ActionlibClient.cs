using System.Collections.Concurrent;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Client;

/// <summary>How an actionlib goal ended (ROS 1 GoalStatus code and the result payload).</summary>
public sealed record ActionlibOutcome<TResult>(byte Status, string Text, TResult Result)
{
    public bool Succeeded => Status == GoalStatusCode.Succeeded;
}

/// <summary>
/// A ROS 1 actionlib client over rosbridge topics (<c>goal</c>, <c>cancel</c> advertised;
/// <c>status</c>, <c>feedback</c>, <c>result</c> subscribed), as roslib's ActionClient. Goals are matched
/// to results by goal id; every goal is timed out by the client, because a goal the server never
/// answers would otherwise wait forever.
/// </summary>
public sealed class ActionlibClient<TGoal, TResult, TFeedback> : IDisposable
    where TGoal : IActionPart, new() where TResult : IActionPart, new() where TFeedback : IActionPart, new()
{
    private readonly RosbridgeClient _client;
    private readonly RosPublisher<ActionGoal<TGoal>> _goal;
    private readonly RosPublisher<GoalId> _cancel;
    private readonly RosSubscription<ActionResult<TResult>> _result;
    private readonly RosSubscription<GoalStatusArray> _status;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ActionlibOutcome<TResult>>> _pending = new(StringComparer.Ordinal);
    private long _next;

    public ActionlibClient(RosbridgeClient client, string serverName)
    {
        _client = client;
        ServerName = serverName;
        _goal = client.Advertise<ActionGoal<TGoal>>(serverName + "/goal");
        _cancel = client.Advertise<GoalId>(serverName + "/cancel");
        _result = client.Subscribe<ActionResult<TResult>>(serverName + "/result", onMessage: OnResult);
        _status = client.Subscribe<GoalStatusArray>(serverName + "/status", new SubscribeOptions { ThrottleRateMs = 0 });
    }

    public string ServerName { get; }

    /// <summary>True once the server's status topic has been heard (the action server exists).</summary>
    public bool ServerSeen => _status.Received > 0;

    public Task<bool> WaitForServerAsync(TimeSpan timeout) => _status.WaitForFirstMessageAsync(timeout);

    /// <summary>Publishes a goal; the task completes with the result, or faults with
    /// <see cref="RosbridgeCallException"/> when the goal could not be sent or got no result in time.</summary>
    public (string GoalId, Task<ActionlibOutcome<TResult>> Outcome) SendGoal(Action<TGoal> fill, TimeSpan timeout, TimeSpan stamp)
    {
        string id = $"goal_{Interlocked.Increment(ref _next)}_{Guid.NewGuid():N}";
        var message = new ActionGoal<TGoal>();
        message.Header.Stamp = RosTime.FromTimeSpan(stamp);
        message.GoalId.Id = id;
        message.GoalId.Stamp = message.Header.Stamp;
        fill(message.Goal);
        var completion = new TaskCompletionSource<ActionlibOutcome<TResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        if (!_goal.Publish(message))
        {
            _pending.TryRemove(id, out _);
            completion.TrySetException(new RosbridgeCallException($"{ServerName}: goal not sent, not connected"));
            return (id, completion.Task);
        }
        return (id, WithTimeout(id, completion, timeout));
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
        if (!_pending.TryRemove(result.Status.GoalId.Id, out var completion))
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
        completion.TrySetResult(new ActionlibOutcome<TResult>(result.Status.Status, result.Status.Text, copy));
    }

    /// <summary>Cancels one goal, or every goal when <paramref name="goalId"/> is null.</summary>
    public bool Cancel(string? goalId = null) => _cancel.Publish(new GoalId { Id = goalId ?? "" });

    /// <summary>Fails every goal still waiting (link lost: results may never come).</summary>
    public void FailPending(string reason)
    {
        foreach (var (id, completion) in _pending)
        {
            if (_pending.TryRemove(id, out _))
            {
                completion.TrySetException(new RosbridgeCallException($"{ServerName}: {reason}"));
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
}
