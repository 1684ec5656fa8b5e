using RobotBridge.Robots;

namespace RobotBridge.Control;

/// <summary>
/// Where everyone who commands a robot under a <see cref="ControlLoop"/> hands over their commands:
/// the Gym env's step, the teleop bridge. One latest-value slot per command kind (a trajectory per
/// joint group, the gripper, the end-effector twist, the base twist); the loop's command stage sends
/// whatever arrived since its last cycle, so commands reach the robot on the loop's thread at its rate.
/// </summary>
/// <remarks>
/// <para>Posting never blocks and never touches the robot. A slot overwritten before the loop took it
/// is a command superseded by a newer one of the same kind (counted in <see cref="Superseded"/>).</para>
/// <para>Sent in a fixed order each cycle: trajectories (arm, arm with torso, torso, head), then the
/// gripper, then the twists, so a lockstep run is the same run every time.</para>
/// <para><see cref="Stop"/> clears the slots and stops the robot under the same lock the command stage
/// sends under: a command taken before the stop is never sent after it.</para>
/// </remarks>
public sealed class RobotCommandMailbox : IControlCycle
{
    private static readonly JointGroup[] Groups = Enum.GetValues<JointGroup>();

    private readonly object _sendGate = new();
    private readonly LatestValueMailbox<TrajectoryCommand>[] _trajectories;
    private readonly LatestValueMailbox<GripperGoal> _gripper = new();
    private readonly LatestValueMailbox<TwistCommand> _cartesian = new();
    private readonly LatestValueMailbox<TwistCommand> _base = new();
    private long _sent;

    public RobotCommandMailbox()
    {
        _trajectories = new LatestValueMailbox<TrajectoryCommand>[Groups.Length];
        for (int i = 0; i < _trajectories.Length; i++)
        {
            _trajectories[i] = new LatestValueMailbox<TrajectoryCommand>();
        }
    }

    /// <summary>Commands the loop has sent to the robot.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Commands replaced by a newer one of the same kind before the loop took them.</summary>
    public long Superseded
    {
        get
        {
            long n = _gripper.Dropped + _cartesian.Dropped + _base.Dropped;
            foreach (var slot in _trajectories)
            {
                n += slot.Dropped;
            }
            return n;
        }
    }

    public void PostTrajectory(JointTrajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        _trajectories[(int)trajectory.Group].Post(new TrajectoryCommand(trajectory.Group, trajectory, null));
    }

    /// <summary>
    /// Posts a trajectory for <paramref name="group"/> that <paramref name="buildAtSend"/> makes when the
    /// loop sends it, given the robot's clock then: for goals that must start from where the controller's
    /// setpoint is at the moment they arrive (<see cref="JointGoalStreamer.NextSentAt"/>). It runs on the
    /// loop's thread (or the caller's in lockstep), under the mailbox's send lock; it is not called when a
    /// newer command of the group supersedes it, or when the mailbox is cleared first.
    /// </summary>
    public void PostTrajectory(JointGroup group, Func<TimeSpan, JointTrajectory> buildAtSend)
    {
        ArgumentNullException.ThrowIfNull(buildAtSend);
        _trajectories[(int)group].Post(new TrajectoryCommand(group, null, buildAtSend));
    }

    public void PostGripper(double separation, double maxEffort) => _gripper.Post(new GripperGoal(separation, maxEffort));

    public void PostCartesianTwist(in Twist twist) => _cartesian.Post(new TwistCommand(twist));

    public void PostBaseTwist(in Twist twist) => _base.Post(new TwistCommand(twist));

    /// <summary>Drops every command not sent yet.</summary>
    public void Clear()
    {
        lock (_sendGate)
        {
            ClearSlots();
        }
    }

    /// <summary>Drops every command not sent yet and stops <paramref name="robot"/> now (on the calling
    /// thread: a stop does not wait for the loop's next cycle).</summary>
    public void Stop(IRobot robot, string reason)
    {
        ArgumentNullException.ThrowIfNull(robot);
        lock (_sendGate)
        {
            ClearSlots();
            robot.Stop(reason);
        }
    }

    void IControlCycle.Infer(CycleObservation observation)
    {
    }

    /// <summary>The loop's command stage: sends what arrived since the last cycle.</summary>
    public void Command(IRobot robot)
    {
        lock (_sendGate)
        {
            foreach (var slot in _trajectories)
            {
                if (slot.TryTake(out TrajectoryCommand command))
                {
                    JointTrajectory trajectory = command.Ready ?? command.BuildAtSend!(robot.Clock.Now);
                    if (trajectory.Group != command.Group)
                    {
                        throw new InvalidOperationException($"a trajectory posted for {command.Group} was built for {trajectory.Group}");
                    }
                    Interlocked.Increment(ref _sent);
                    robot.SendTrajectory(trajectory);
                }
            }
            if (_gripper.TryTake(out GripperGoal gripper))
            {
                Interlocked.Increment(ref _sent);
                robot.SendGripper(gripper.Separation, gripper.MaxEffort);
            }
            if (_cartesian.TryTake(out TwistCommand cartesian))
            {
                Interlocked.Increment(ref _sent);
                robot.SendCartesianTwist(cartesian.Twist);
            }
            if (_base.TryTake(out TwistCommand baseTwist))
            {
                Interlocked.Increment(ref _sent);
                robot.SendBaseTwist(baseTwist.Twist);
            }
        }
    }

    private void ClearSlots()
    {
        foreach (var slot in _trajectories)
        {
            slot.Clear();
        }
        _gripper.Clear();
        _cartesian.Clear();
        _base.Clear();
    }

    /// <summary>A trajectory ready to send, or the means to build it when it is sent.</summary>
    private sealed record TrajectoryCommand(JointGroup Group, JointTrajectory? Ready, Func<TimeSpan, JointTrajectory>? BuildAtSend);

    private sealed record GripperGoal(double Separation, double MaxEffort);

    private sealed record TwistCommand(Twist Twist);
}
