using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Sim.Tests.Safety;

/// <summary>The latch on the twin: motion resumes only after every source cleared and an authorised reset.</summary>
public class ResetTests
{
    [Fact]
    public void Reset_works_only_when_all_sources_are_clear_and_the_operator_is_authorised()
    {
        var policy = new SweepingArmPolicy();
        LinkFault? link = null;
        using var rig = new SupervisedTwin(policy, wrap: twin => link = new LinkFault(twin));
        var button = EStopSource.Button("gpio:17");
        rig.Loop.RunCycles(10);

        rig.Latch.Trip(button, "pressed");
        link!.Lost = true;
        rig.Loop.RunCycle();
        Assert.Equal(EStopResetResult.SourcesActive, rig.Latch.TryReset(SupervisedTwin.Operator));

        rig.Latch.Clear(button, "released");
        rig.Loop.RunCycle();
        Assert.Equal(EStopResetResult.SourcesActive, rig.Latch.TryReset(SupervisedTwin.Operator));
        Assert.True(rig.MaxDisplacementOver(TimeSpan.FromSeconds(0.5)) < 0.02);

        link.Lost = false;
        rig.Loop.RunCycle();
        Assert.Equal(EStopResetResult.NotAuthorised, rig.Latch.TryReset("visitor"));
        Assert.True(rig.MaxDisplacementOver(TimeSpan.FromSeconds(0.5)) < 0.02);

        Assert.Equal(EStopResetResult.Accepted, rig.Latch.TryReset(SupervisedTwin.Operator));
        var runstop = new RobotState();
        rig.Twin.ReadState(runstop);
        Assert.False(runstop.Runstopped, "the reset releases the runstop the supervisor engaged");
        Assert.True(rig.MaxDisplacementOver(TimeSpan.FromSeconds(1)) > 0.1, "after the reset the policy moves the arm again");
    }
}
