using System.Diagnostics;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;
using RobotBridge.Ros.Tests.Rosbridge;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Tests.Actionlib;

/// <summary>
/// What RosFetch's goals meet on a robot whose action servers order goals by stamp (actionlib's
/// SimpleActionServer), and how every terminal status reaches the caller.
/// </summary>
public sealed class GoalStatusTests
{
    private static readonly string ArmAction = FetchTopics.TrajectoryAction(JointGroup.Arm);

    private static async Task<RosFetch> ConnectAsync(StampOrderingRobot robot)
    {
        var fetch = new RosFetch(new RosFetchOptions(robot.Server.Uri) { CameraTopic = null });
        Assert.True(await fetch.WaitForStateAsync(TimeSpan.FromSeconds(10)), "no joint state from the stand-in robot");
        return fetch;
    }

    private static JointTrajectory ArmGoal(double shoulderPan) =>
        new(JointGroup.Arm, [new TrajectoryPoint([shoulderPan, 0, 0, 0, 0, 0, 0], null, TimeSpan.FromSeconds(1))]);

    [Fact]
    public async Task A_second_process_after_the_first_has_every_goal_taken_on_the_robots_clock()
    {
        await using var robot = new StampOrderingRobot();
        var runs = new List<List<TimeSpan>>();
        for (int run = 0; run < 2; run++)
        {
            // A fresh RosFetch shares nothing with the one before it, as a fresh process would.
            int before = robot.Goals.Count;
            using (var fetch = await ConnectAsync(robot))
            {
                TimeSpan sentFrom = robot.Now;
                for (int i = 0; i < 3; i++)
                {
                    fetch.SendTrajectory(ArmGoal(0.1 * i));
                }
                fetch.SendGripper(0.05, 60);
                await ServerFixture.Eventually(() => robot.Goals.Count == before + 4, $"run {run + 1}: the robot received 4 goals");
                TimeSpan sentUntil = robot.Now;
                var goals = robot.Goals.Skip(before).ToList();
                Assert.All(goals, g => Assert.Equal(GoalStatusCode.Succeeded, g.Status));
                Assert.All(goals, g => Assert.InRange(g.Stamp.ToTimeSpan(), sentFrom - TimeSpan.FromSeconds(1), sentUntil));
                await Task.Delay(300); // outcomes observed
                Assert.Null(fetch.LastCommandFailure);
                runs.Add([.. goals.Where(g => g.Action == ArmAction).Select(g => g.Stamp.ToTimeSpan())]);
            }
        }
        Assert.True(runs[1].Min() > runs[0].Max(),
            $"the second run's first stamp {runs[1].Min()} is not after the first run's last {runs[0].Max()}");
    }

    [Fact]
    public async Task A_goal_stamped_from_the_start_of_its_process_is_recalled_after_an_earlier_processes_goals()
    {
        // The fault the robot showed: stamps that restart at 0 in every process. This stand-in recalls them as a Fetch does.
        await using var robot = new StampOrderingRobot();
        using (var fetch = await ConnectAsync(robot))
        {
            fetch.SendTrajectory(ArmGoal(0.1));
            await ServerFixture.Eventually(() => robot.Goals.Count == 1, "the first process's goal arrived");
        }
        await using var raw = new RosbridgeClient(new RosbridgeClientOptions(robot.Server.Uri));
        raw.Start();
        Assert.True(await raw.WaitConnectedAsync(TimeSpan.FromSeconds(5)));
        using var goals = raw.Advertise<ActionGoal<FollowJointTrajectoryGoal>>(ArmAction + "/goal");
        var goal = new ActionGoal<FollowJointTrajectoryGoal>();
        goal.GoalId.Id = "process-relative";
        goal.GoalId.Stamp = RosTime.FromSeconds(2.5);
        goal.Header.Stamp = goal.GoalId.Stamp;
        Assert.True(goals.Publish(goal));
        await ServerFixture.Eventually(() => robot.Goals.Count == 2, "the second goal arrived");
        Assert.Equal(GoalStatusCode.Recalled, robot.Goals[1].Status);
    }

    [Theory]
    [InlineData(GoalStatusCode.Aborted, "Trajectory not executed within time limits.", "ABORTED (4)")]
    [InlineData(GoalStatusCode.Rejected, "goal names a joint this controller does not have", "REJECTED (5)")]
    [InlineData(GoalStatusCode.Preempted, "preempted by another client", "PREEMPTED (2)")]
    [InlineData(GoalStatusCode.Recalled, StampOrderingRobot.RecallText, "RECALLED (8)")]
    public async Task Every_terminal_status_reaches_the_caller_at_once_with_its_text(byte status, string text, string named)
    {
        await using var robot = new StampOrderingRobot { Answer = _ => (status, text) };
        using var fetch = await ConnectAsync(robot);
        var sent = Stopwatch.StartNew();
        fetch.SendTrajectory(ArmGoal(0.2));
        await ServerFixture.Eventually(() => fetch.LastCommandFailure is not null, $"the {named} goal was reported");
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(1.5), $"reported after {sent.Elapsed.TotalSeconds:F2} s, not at once");
        var failure = fetch.LastCommandFailure!;
        Assert.Equal(named, failure.Status);
        Assert.Equal(text, failure.Text);
        Assert.Equal(ArmAction, failure.Controller);
        Assert.Equal(JointGroup.Arm, failure.Group);
        Assert.Equal(1, failure.Sequence);
        Assert.Contains($"{named}: {text}", failure.ToString());
    }

    [Fact]
    public async Task A_goal_recalled_because_another_clients_goal_is_newer_is_reported_as_recalled()
    {
        await using var robot = new StampOrderingRobot();
        using var fetch = await ConnectAsync(robot);
        robot.TakeGoalStamped(ArmAction, RosTime.FromTimeSpan(robot.Now + TimeSpan.FromHours(1)));
        fetch.SendTrajectory(ArmGoal(0.2));
        await ServerFixture.Eventually(() => fetch.LastCommandFailure is not null, "the recalled goal was reported");
        Assert.Equal("RECALLED (8)", fetch.LastCommandFailure!.Status);
        Assert.Equal(StampOrderingRobot.RecallText, fetch.LastCommandFailure.Text);
    }

    [Fact]
    public async Task Goals_ended_by_our_own_newer_goal_or_our_stop_are_not_failures()
    {
        // Streaming: each goal preempts the one before; the robot answers late, after the next goal went out.
        int answered = 0;
        await using var robot = new StampOrderingRobot
        {
            AnswerDelay = TimeSpan.FromMilliseconds(300),
            Answer = _ => Interlocked.Increment(ref answered) < 3 ? (GoalStatusCode.Preempted, "preempted by a new goal") : (GoalStatusCode.Succeeded, ""),
        };
        using var fetch = await ConnectAsync(robot);
        fetch.SendTrajectory(ArmGoal(0.1));
        fetch.SendTrajectory(ArmGoal(0.2));
        fetch.SendTrajectory(ArmGoal(0.3));
        await ServerFixture.Eventually(() => robot.Goals.Count == 3, "three goals arrived");
        await Task.Delay(800);
        Assert.Null(fetch.LastCommandFailure);

        // A stop cancels every goal: their PREEMPTED is what the stop asked for.
        robot.Answer = _ => (GoalStatusCode.Preempted, "canceled by the client");
        fetch.SendTrajectory(ArmGoal(0.4));
        fetch.Stop("test");
        await Task.Delay(800);
        Assert.Null(fetch.LastCommandFailure);

        // The control: the same answer to a goal nobody replaced or cancelled is a failure.
        fetch.SendTrajectory(ArmGoal(0.5));
        await ServerFixture.Eventually(() => fetch.LastCommandFailure is not null, "the unexplained preemption was reported");
        Assert.Equal("PREEMPTED (2)", fetch.LastCommandFailure!.Status);
    }

    [Fact]
    public async Task A_reset_whose_goals_are_recalled_says_so_at_once_instead_of_timing_out()
    {
        await using var robot = new StampOrderingRobot();
        foreach (var group in FetchTopics.Groups)
        {
            // Another process's goals, stamped an hour ahead of this robot's clock.
            robot.TakeGoalStamped(FetchTopics.TrajectoryAction(group), RosTime.FromTimeSpan(robot.Now + TimeSpan.FromHours(1)));
        }
        using var fetch = await ConnectAsync(robot);
        var world = new RobotTaskWorld(fetch, FetchTaskSpec.For(FetchTaskKind.Reach), FetchModel.Load());
        double[] start = new double[FetchJoints.Count];
        start[FetchJoints.IndexOf("shoulder_pan_joint")] = 0.3;
        var sent = Stopwatch.StartNew();
        var error = Assert.Throws<TaskResetException>(() => world.PrepareEpisode(start, null));
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(3), $"the reset failed after {sent.Elapsed.TotalSeconds:F1} s, not at once");
        Assert.Contains("RECALLED (8)", error.Message);
        Assert.Contains(StampOrderingRobot.RecallText, error.Message);
        Assert.Contains("/follow_joint_trajectory", error.Message);
    }
}
