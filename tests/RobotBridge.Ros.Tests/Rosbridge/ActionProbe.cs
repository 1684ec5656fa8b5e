using System.Collections.Concurrent;
using RobotBridge.Robots;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>
/// A bare ROS 1 actionlib client of one FollowJointTrajectory server, over its own WebSocket, that
/// stamps goals exactly as the test says (a fresh process's wall clock, a process-relative clock, zero)
/// and records every result with its status, text and error code as a Fetch would send them.
/// </summary>
internal sealed class ActionProbe : IAsyncDisposable
{
    /// <param name="Stamp">The result's header stamp: when the server ended the goal, on the robot's clock.</param>
    public sealed record Outcome(byte Status, string Text, int ErrorCode, TimeSpan At, TimeSpan Stamp);

    private readonly RosbridgeClient _client;
    private readonly RosPublisher<ActionGoal<FollowJointTrajectoryGoal>> _goal;
    private readonly RosPublisher<GoalId> _cancel;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Outcome>> _results = new(StringComparer.Ordinal);
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private int _next;

    private ActionProbe(RosbridgeClient client, string server)
    {
        _client = client;
        _goal = client.Advertise<ActionGoal<FollowJointTrajectoryGoal>>(server + "/goal");
        _cancel = client.Advertise<GoalId>(server + "/cancel");
        Results = client.Subscribe<ActionResult<FollowJointTrajectoryResult>>(server + "/result", onMessage: r =>
            Completion(r.Status.GoalId.Id).TrySetResult(new Outcome(r.Status.Status, r.Status.Text, r.Payload.ErrorCode, _clock.Elapsed, r.Header.Stamp.ToTimeSpan())));
        Status = client.Subscribe<GoalStatusArray>(server + "/status");
    }

    public RosSubscription<ActionResult<FollowJointTrajectoryResult>> Results { get; }
    public RosSubscription<GoalStatusArray> Status { get; }

    /// <summary>Time since this probe (its "process") started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public static async Task<ActionProbe> ConnectAsync(Uri uri, string server = "/arm_controller/follow_joint_trajectory")
    {
        var client = new RosbridgeClient(new RosbridgeClientOptions(uri));
        client.Start();
        Assert.True(await client.WaitConnectedAsync(TimeSpan.FromSeconds(10)), "probe did not connect");
        var probe = new ActionProbe(client, server);
        Assert.True(await probe.Status.WaitForFirstMessageAsync(TimeSpan.FromSeconds(10)), "action server status not heard");
        return probe;
    }

    /// <summary>ROS time as a fresh ROS process stamps it: the wall clock since the Unix epoch.</summary>
    public static RosTime WallStamp() => RosTime.FromTimeSpan(DateTime.UtcNow - DateTime.UnixEpoch);

    /// <summary>Publishes a goal for <paramref name="group"/>'s joints; returns its id.</summary>
    public string Send(JointGroup group, IReadOnlyList<(double[] Positions, double Seconds)> points, RosTime stamp,
        Action<FollowJointTrajectoryGoal>? fill = null, string? id = null)
    {
        id ??= $"probe_{Interlocked.Increment(ref _next)}_{Guid.NewGuid():N}";
        Completion(id);
        var message = new ActionGoal<FollowJointTrajectoryGoal>();
        message.GoalId.Id = id;
        message.GoalId.Stamp = stamp;
        message.Header.Stamp = stamp;
        message.Goal.Trajectory.JointNames.AddRange(FetchJoints.Of(group));
        foreach (var (positions, seconds) in points)
        {
            var point = new JointTrajectoryPoint { TimeFromStart = RosTime.FromSeconds(seconds) };
            point.Positions.CopyFrom(positions);
            message.Goal.Trajectory.Points.Add(point);
        }
        fill?.Invoke(message.Goal);
        Assert.True(_goal.Publish(message), "goal not sent");
        return id;
    }

    public void Cancel(string id) => Assert.True(_cancel.Publish(new GoalId { Id = id }), "cancel not sent");

    public Task<Outcome> ResultOf(string id) => Completion(id).Task;

    public async Task<Outcome> WaitResult(string id, TimeSpan? timeout = null)
    {
        var task = ResultOf(id);
        var done = await Task.WhenAny(task, Task.Delay(timeout ?? TimeSpan.FromSeconds(15)));
        Assert.True(done == task, $"no result for goal {id}");
        return await task;
    }

    private TaskCompletionSource<Outcome> Completion(string id) =>
        _results.GetOrAdd(id, _ => new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously));

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();
}
