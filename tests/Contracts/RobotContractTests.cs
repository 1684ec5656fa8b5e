using RobotBridge.Robots;

namespace RobotBridge.Contracts;

/// <summary>A body under test and what it needs to go away.</summary>
public interface IRobotHarness : IAsyncDisposable
{
    IRobot Robot { get; }

    /// <summary>True when a commanded motion takes time (physics, a controller); false when commands are
    /// mirrored into the state at once (<see cref="FakeRobot"/>).</summary>
    bool MovesOverTime { get; }
}

/// <summary>
/// The <see cref="IRobot"/> contract (src/RobotBridge/Robots/IRobot.cs), written once and run against
/// every body: <see cref="FakeRobot"/> (RobotBridge.Tests), the MuJoCo twin (RobotBridge.Sim.Tests) and
/// RosFetch → our rosbridge server → the twin (RobotBridge.Ros.Tests). A body passes only if code
/// written against the interface cannot tell which one it drives, except by how fast it moves.
/// This file is compiled into each of those test projects (linked source), which subclass it.
/// </summary>
public abstract class RobotContractTests
{
    protected abstract Task<IRobotHarness> StartAsync();

    private static readonly int Pan = FetchJoints.IndexOf(FetchJoints.HeadPan);
    private static readonly int Tilt = FetchJoints.IndexOf(FetchJoints.HeadTilt);

    private static JointTrajectory Head(double pan, double tilt, double seconds) =>
        new(JointGroup.Head, [new TrajectoryPoint([pan, tilt], null, TimeSpan.FromSeconds(seconds))]);

    private static RobotState Read(IRobot robot)
    {
        var state = new RobotState();
        robot.ReadState(state);
        return state;
    }

    private static void Wait(IRobot robot, double seconds) => robot.Clock.WaitUntil(robot.Clock.Now + TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task The_state_is_valid_finite_in_FetchJoints_order_and_its_stamp_never_goes_back()
    {
        await using var harness = await StartAsync();
        var robot = harness.Robot;
        RobotState first = Read(robot);
        Wait(robot, 0.1);
        RobotState second = Read(robot);

        Assert.True(first.IsValid && second.IsValid);
        Assert.Equal(FetchJoints.Count, second.Position.Length);
        Assert.All(second.Position, p => Assert.True(double.IsFinite(p)));
        Assert.True(second.Stamp >= first.Stamp, $"stamp went back from {first.Stamp} to {second.Stamp}");
        Assert.Equal(LinkStatus.Connected, robot.Link);
    }

    [Fact]
    public async Task The_clock_never_goes_back_and_a_wait_returns_at_or_after_its_time()
    {
        await using var harness = await StartAsync();
        IRobotClock clock = harness.Robot.Clock;
        TimeSpan start = clock.Now;
        TimeSpan target = start + TimeSpan.FromMilliseconds(50);
        clock.WaitUntil(target);
        Assert.True(clock.Now >= target, $"WaitUntil({target}) returned at {clock.Now}");
        clock.WaitUntil(start); // a time already past returns at once
        Assert.True(clock.Now >= target);
    }

    [Fact]
    public async Task Non_finite_or_misshapen_commands_throw_ArgumentException_and_move_nothing()
    {
        await using var harness = await StartAsync();
        var robot = harness.Robot;
        RobotState before = Read(robot);

        Assert.ThrowsAny<ArgumentException>(() => robot.SendTrajectory(Head(double.NaN, 0, 1)));
        Assert.ThrowsAny<ArgumentException>(() => robot.SendTrajectory(
            new JointTrajectory(JointGroup.Head, [new TrajectoryPoint([0.4], null, TimeSpan.FromSeconds(1))])));
        Assert.ThrowsAny<ArgumentException>(() => robot.SendTrajectory(
            new JointTrajectory(JointGroup.Head, [new TrajectoryPoint([0.4, 0.2], null, TimeSpan.FromSeconds(1)),
                new TrajectoryPoint([0.5, double.PositiveInfinity], null, TimeSpan.FromSeconds(2))])));
        Assert.ThrowsAny<ArgumentException>(() => robot.SendGripper(double.NaN, 60));
        Assert.ThrowsAny<ArgumentException>(() => robot.SendCartesianTwist(new Twist(double.NaN, 0, 0, 0, 0, 0)));
        Assert.ThrowsAny<ArgumentException>(() => robot.SendBaseTwist(new Twist(0, 0, 0, 0, 0, double.PositiveInfinity)));

        Wait(robot, 0.5);
        RobotState after = Read(robot);
        Assert.Equal(before.Position[Pan], after.Position[Pan], 0.01);
        Assert.Equal(before.Position[Tilt], after.Position[Tilt], 0.01);
        Assert.Equal(before.GripperSeparation, after.GripperSeparation, 0.005);
    }

    [Fact]
    public async Task A_head_trajectory_takes_the_head_to_its_goal()
    {
        await using var harness = await StartAsync();
        var robot = harness.Robot;
        robot.SendTrajectory(Head(0.3, 0.25, 0.6));
        Wait(robot, 2.0);
        RobotState state = Read(robot);
        Assert.Equal(0.3, state.Position[Pan], 0.03);
        Assert.Equal(0.25, state.Position[Tilt], 0.03);
    }

    [Fact]
    public async Task A_gripper_command_sets_the_finger_separation()
    {
        await using var harness = await StartAsync();
        var robot = harness.Robot;
        robot.SendGripper(0.08, 60);
        Wait(robot, 2.0);
        Assert.Equal(0.08, Read(robot).GripperSeparation, 0.01);
    }

    [Fact]
    public async Task Stop_holds_the_robot_where_it_is_and_may_be_called_again_from_any_thread()
    {
        await using var harness = await StartAsync();
        var robot = harness.Robot;
        robot.SendTrajectory(Head(1.2, 0.0, 3.0));
        Wait(robot, 0.6);
        robot.Stop("contract: stop mid-motion");
        await Task.Run(() => robot.Stop("contract: stop again from another thread"));
        Wait(robot, 0.4); // whatever the body needs to come to rest
        RobotState stopped = Read(robot);
        Wait(robot, 1.0);
        RobotState later = Read(robot);

        Assert.Equal(stopped.Position[Pan], later.Position[Pan], 0.02);
        if (harness.MovesOverTime)
        {
            Assert.True(later.Position[Pan] < 1.0, $"the head went on to {later.Position[Pan]:F3} after the stop (goal 1.2)");
        }
    }
}
