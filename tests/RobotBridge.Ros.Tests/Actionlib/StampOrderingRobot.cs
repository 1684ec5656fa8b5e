using System.Diagnostics;
using RobotBridge.Robots;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;
using RobotBridge.Ros.Server;

namespace RobotBridge.Ros.Tests.Actionlib;

/// <summary>
/// A robot behind a real rosbridge server, reduced to what a client's goals meet on a Fetch: joint
/// states stamped on the robot's own clock, and trajectory and gripper action servers that order goals
/// by <c>goal_id.stamp</c> as actionlib's SimpleActionServer does (a goal older than the last one taken,
/// from any client, is RECALLED with that server's text) and otherwise answer with
/// <see cref="Answer"/> (SUCCEEDED by default) at once. The robot never moves: the tests here are about
/// what the client is told.
/// </summary>
internal sealed class StampOrderingRobot : IAsyncDisposable
{
    public const string RecallText = "This goal was canceled because another goal was received by the simple action server";

    private readonly Stopwatch _uptime = Stopwatch.StartNew();
    private readonly TimeSpan _bootTime = TimeSpan.FromSeconds(7000);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RosTime> _lastStamp = [];
    private readonly List<(string Action, RosTime Stamp, byte Status)> _goals = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _publisher;

    public StampOrderingRobot()
    {
        Server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0 });
        Server.Start();
        var jointStates = Server.AdvertiseLocal<JointState>(FetchTopics.JointStates);
        foreach (var group in FetchTopics.Groups)
        {
            Serve<FollowJointTrajectoryGoal, FollowJointTrajectoryResult>(FetchTopics.TrajectoryAction(group));
        }
        Serve<GripperCommandGoal, GripperCommandResult>(FetchTopics.GripperAction);
        _publisher = Task.Run(async () =>
        {
            var message = new JointState();
            message.Name.AddRange(FetchJoints.All);
            message.Position.CopyFrom(new double[FetchJoints.Count]);
            message.Velocity.CopyFrom(new double[FetchJoints.Count]);
            message.Effort.CopyFrom(new double[FetchJoints.Count]);
            while (!_stop.IsCancellationRequested)
            {
                message.Header.Stamp = RosTime.FromTimeSpan(Now);
                jointStates.Publish(message);
                try
                {
                    await Task.Delay(10, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public RosbridgeServer Server { get; }

    /// <summary>The robot's clock (ROS time on the robot), far from the bridge's and the epoch.</summary>
    public TimeSpan Now => _bootTime + _uptime.Elapsed;

    /// <summary>How a goal that passes the stamp check ends (action name → status and text).</summary>
    public Func<string, (byte Status, string Text)> Answer { get; set; } = _ => (GoalStatusCode.Succeeded, "");

    /// <summary>How long after a goal its answer is published (zero: at once, on the server's receive thread).</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Every goal received: action, goal_id.stamp and the status it ended with.</summary>
    public IReadOnlyList<(string Action, RosTime Stamp, byte Status)> Goals
    {
        get
        {
            lock (_gate)
            {
                return [.. _goals];
            }
        }
    }

    /// <summary>Another client's goal taken on <paramref name="action"/>, stamped <paramref name="stamp"/>.</summary>
    public void TakeGoalStamped(string action, RosTime stamp)
    {
        lock (_gate)
        {
            _lastStamp[action] = stamp;
        }
    }

    private void Serve<TGoal, TResult>(string action) where TGoal : IActionPart, new() where TResult : IActionPart, new()
    {
        var result = Server.AdvertiseLocal<ActionResult<TResult>>(action + "/result");
        var status = Server.AdvertiseLocal<GoalStatusArray>(action + "/status");
        Server.SubscribeLocal<ActionGoal<TGoal>>(action + "/goal", (goal, session) =>
        {
            // A zero stamp means "now" to actionlib's server.
            RosTime stamp = goal.GoalId.Stamp.IsZero ? RosTime.FromTimeSpan(Now) : goal.GoalId.Stamp;
            (byte Status, string Text) answer;
            lock (_gate)
            {
                bool older = _lastStamp.TryGetValue(action, out var last) && stamp.ToTimeSpan() < last.ToTimeSpan();
                answer = older ? (GoalStatusCode.Recalled, RecallText) : Answer(action);
                if (!older)
                {
                    _lastStamp[action] = stamp;
                }
                _goals.Add((action, stamp, answer.Status));
            }
            string id = goal.GoalId.Id;
            RosTime goalStamp = goal.GoalId.Stamp;
            if (AnswerDelay > TimeSpan.Zero)
            {
                _ = Task.Delay(AnswerDelay).ContinueWith(t => Publish(result, status, id, goalStamp, answer), TaskScheduler.Default);
            }
            else
            {
                Publish(result, status, id, goalStamp, answer);
            }
        });
    }

    private void Publish<TResult>(LocalPublisher<ActionResult<TResult>> result, LocalPublisher<GoalStatusArray> status, string id, RosTime goalStamp,
        (byte Status, string Text) answer) where TResult : IActionPart, new()
    {
        var message = new ActionResult<TResult>();
        message.Header.Stamp = RosTime.FromTimeSpan(Now);
        message.Status.GoalId.Id = id;
        message.Status.GoalId.Stamp = goalStamp;
        message.Status.Status = answer.Status;
        message.Status.Text = answer.Text;
        result.Publish(message);
        var array = new GoalStatusArray();
        array.Header.Stamp = message.Header.Stamp;
        var s = new GoalStatus { Status = answer.Status, Text = answer.Text };
        s.GoalId.Id = id;
        array.StatusList.Add(s);
        status.Publish(array);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _publisher;
        await Server.DisposeAsync();
        _stop.Dispose();
    }
}
