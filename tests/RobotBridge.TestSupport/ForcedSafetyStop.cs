using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.TestSupport;

/// <summary>
/// Trips a supervised env's latch (a forced software e-stop) before the env's step <paramref name="atStep"/>
/// (counted from 1 over the wrapper's life), as a real fault would mid-episode; for tests of what training
/// and rollouts do after a safety stop.
/// </summary>
public sealed class ForcedSafetyStop(IEnv<DictValue, float[]> inner, int atStep) : Wrapper<DictValue, float[]>(inner)
{
    private int _steps;

    public override StepResult<DictValue> Step(float[] action)
    {
        if (++_steps == atStep)
        {
            this.RequireSafetyGuard("the env with a forced stop").Latch.TripMomentary(EStopSource.Software("test"), "forced stop");
        }
        return base.Step(action);
    }
}
