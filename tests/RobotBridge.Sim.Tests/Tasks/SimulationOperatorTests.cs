using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Sim.Tests.Tasks;

/// <summary>
/// The simulation's operator that training resets the twin's e-stop latch with: only a supervised twin
/// made with <see cref="FetchEnvs.TrainingOperatorOption"/> has one, and every other latch (deploy's,
/// eval's) refuses its id, so a stop there still waits for a human.
/// </summary>
public class SimulationOperatorTests
{
    private const string Id = "FetchReachDeploy-v1";

    [Fact]
    public void A_twin_made_for_training_resets_a_stop_as_an_authorised_operator_and_the_next_episode_starts()
    {
        using var env = FetchTaskFixture.Make(Id, EnvOptions.Default.With(FetchEnvs.TrainingOperatorOption, true));
        SimulationOperator simulation = env.SimulationOperator() ?? throw new Xunit.Sdk.XunitException("no operator on a twin made for training");
        ISafetyGuard guard = env.SafetyGuard()!;
        env.Reset(seed: 1);
        guard.Latch.TripMomentary(EStopSource.Software("test"), "forced stop");

        // The env itself is unchanged: the stopped step terminates, and the next reset is refused until a reset.
        var step = env.Step(new float[4]);
        Assert.True(step.Terminated);
        Assert.Throws<TaskResetException>(() => env.Reset());

        Assert.Equal(EStopResetResult.Accepted, simulation.ResetLatch());
        Assert.False(env.Reset().Info.Get(SafetyInfoKeys.Safety).IsStopped);
        Assert.Contains(guard.Latch.Log.Snapshot(), e => e.Kind == SafetyEventKind.Reset && e.Source.ToString().Contains(SimulationOperator.OperatorId, StringComparison.Ordinal));
    }

    [Fact]
    public void Deploy_and_eval_twins_have_no_operator_and_their_latch_refuses_the_simulation_id()
    {
        // The family's defaults (safety on), as eval and deploy --robot sim make it.
        using var env = FetchTaskFixture.Make(Id);
        Assert.Null(env.SimulationOperator());
        ISafetyGuard guard = env.SafetyGuard()!;
        env.Reset(seed: 1);
        guard.Latch.TripMomentary(EStopSource.Software("test"), "forced stop");

        Assert.Equal(EStopResetResult.NotAuthorised, guard.Latch.TryReset(SimulationOperator.OperatorId));
        Assert.Throws<TaskResetException>(() => env.Reset());
    }

    [Fact]
    public void A_bare_twin_has_no_latch_and_so_no_operator_even_when_asked()
    {
        using var env = FetchTaskFixture.Make("FetchReach-v4", EnvOptions.Default.With(FetchEnvs.TrainingOperatorOption, true));
        Assert.Null(env.SafetyGuard());
        Assert.Null(env.SimulationOperator());
    }
}
