using System.Diagnostics;
using RobotBridge.Control;
using RobotBridge.Robots;

namespace RobotBridge.Tests.Control;

public class RobotCommandMailboxTests
{
    private static JointTrajectory Head(double pan) =>
        new(JointGroup.Head, [new TrajectoryPoint([pan, 0.1], null, TimeSpan.FromSeconds(1))]);

    private static JointTrajectory Arm(double first) =>
        new(JointGroup.Arm, [new TrajectoryPoint([first, 0, 0, 0, 0, 0, 0], null, TimeSpan.FromSeconds(1))]);

    [Fact]
    public void Posting_never_touches_the_robot_the_loop_cycle_sends_the_latest_of_each_kind_in_a_fixed_order()
    {
        var robot = new FakeRobot();
        var mailbox = new RobotCommandMailbox();
        using var loop = new ControlLoop(robot, mailbox, new ControlLoopOptions { RateHz = 100 });

        mailbox.PostBaseTwist(new Twist(0.1, 0, 0, 0, 0, 0));
        mailbox.PostGripper(0.06, 50);
        mailbox.PostTrajectory(Head(0.2));
        mailbox.PostTrajectory(Head(0.3)); // supersedes 0.2
        mailbox.PostTrajectory(Arm(0.5));
        Assert.Empty(robot.Log);

        loop.RunCycle();

        Assert.Equal(["trajectory Arm", "trajectory Head", "gripper 0.06", "base twist"], robot.Log);
        var state = new RobotState();
        robot.ReadState(state);
        Assert.Equal(0.3, state.Position[FetchJoints.IndexOf(FetchJoints.HeadPan)]);
        Assert.Equal(0.06, state.GripperSeparation, 9);
        Assert.Equal(1, mailbox.Superseded);
        Assert.Equal(4, mailbox.Sent);

        loop.RunCycle(); // nothing new: nothing sent, the controllers hold the last goals
        Assert.Equal(4, robot.Log.Count);
    }

    [Fact]
    public void A_trajectory_posted_to_be_built_is_built_by_the_cycle_that_sends_it_with_the_clock_then()
    {
        var robot = new FakeRobot();
        var mailbox = new RobotCommandMailbox();
        using var loop = new ControlLoop(robot, mailbox, new ControlLoopOptions { RateHz = 100 });
        var builtAt = new List<TimeSpan>();
        JointTrajectory Build(TimeSpan at, double first)
        {
            builtAt.Add(at);
            return Arm(first);
        }

        mailbox.PostTrajectory(JointGroup.Arm, at => Build(at, 0.1));
        mailbox.PostTrajectory(JointGroup.Arm, at => Build(at, 0.2)); // supersedes the first, which is never built
        Assert.Empty(builtAt);
        loop.RunCycle();
        loop.RunCycle();
        TimeSpan later = robot.Clock.Now;
        mailbox.PostTrajectory(JointGroup.Arm, at => Build(at, 0.3));
        loop.RunCycle();

        Assert.Equal([TimeSpan.Zero, later], builtAt);
        Assert.Equal(["trajectory Arm", "trajectory Arm"], robot.Log);
        var state = new RobotState();
        robot.ReadState(state);
        Assert.Equal(0.3, state.Position[FetchJoints.IndexOf(FetchJoints.ShoulderPan)]);
        Assert.Equal(1, mailbox.Superseded);

        mailbox.PostTrajectory(JointGroup.Arm, at => Build(at, 0.4));
        mailbox.Clear(); // cleared before its cycle: never built
        loop.RunCycle();
        Assert.Equal(2, builtAt.Count);
    }

    [Fact]
    public void A_stop_drops_what_waits_so_no_command_posted_before_it_reaches_the_robot_after_it()
    {
        var robot = new FakeRobot();
        var mailbox = new RobotCommandMailbox();
        using var loop = new ControlLoop(robot, mailbox);

        mailbox.PostCartesianTwist(new Twist(0.05, 0, 0, 0, 0, 0));
        mailbox.PostTrajectory(Arm(0.4));
        mailbox.Stop(robot, "dead-man released");
        loop.RunCycles(3);

        Assert.Equal(["stop: dead-man released"], robot.Log);
        Assert.Equal(Twist.Zero, robot.CartesianTwist);
    }

    [Fact]
    public void A_caller_waits_on_the_loop_thread_cycles_and_the_loop_keeps_checking_while_nobody_waits()
    {
        var robot = new FakeRobot(new WallClock());
        var mailbox = new RobotCommandMailbox();
        using var loop = new ControlLoop(robot, mailbox, new ControlLoopOptions { RateHz = 100 });
        Assert.Throws<InvalidOperationException>(() => loop.WaitForCycle(TimeSpan.Zero, TimeSpan.FromSeconds(1)));

        loop.Start();
        Assert.True(loop.WaitForCycle(TimeSpan.Zero, TimeSpan.FromSeconds(5)), "the first cycle completes");
        TimeSpan first = loop.LastCycleGridPoint!.Value;

        // A caller busy elsewhere (a policy inferring) does not hold the loop: cycles go on.
        long cycles = loop.Timing.Cycles;
        var busy = Stopwatch.StartNew();
        while (busy.Elapsed < TimeSpan.FromMilliseconds(100))
        {
            Thread.SpinWait(100);
        }
        Assert.True(loop.Timing.Cycles - cycles >= 3, $"{loop.Timing.Cycles - cycles} cycles in 100 ms at 100 Hz");

        mailbox.PostTrajectory(Head(0.25));
        TimeSpan target = loop.LastCycleGridPoint!.Value + 4 * loop.Period;
        Assert.True(loop.WaitForCycle(target, TimeSpan.FromSeconds(5)));
        Assert.True(loop.LastCycleGridPoint >= target);
        Assert.Equal(0, (loop.LastCycleGridPoint!.Value - first).Ticks % loop.Period.Ticks); // on the loop's grid
        Assert.Contains("trajectory Head", robot.Log);

        loop.Stop();
        Assert.Throws<InvalidOperationException>(() => loop.WaitForCycle(target + TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
    }
}
