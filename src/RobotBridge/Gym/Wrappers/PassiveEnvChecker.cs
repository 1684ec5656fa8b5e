using RobotBridge.Gym.Checking;

namespace RobotBridge.Gym.Wrappers;

/// <summary>
/// Checks the first Reset and the first Step of a new env against its spaces and throws
/// <see cref="EnvContractException"/> naming the broken clause; after that it only forwards
/// (Gymnasium's PassiveEnvChecker, but failing instead of warning: a robot env that lies about its
/// spaces must not reach a policy). <see cref="Registration.EnvRegistry.Make"/> adds it by default.
/// </summary>
public sealed class PassiveEnvChecker<TObs, TAct> : Wrapper<TObs, TAct>
{
    private bool _resetChecked;
    private bool _stepChecked;

    public PassiveEnvChecker(IEnv<TObs, TAct> inner) : base(inner)
    {
        if (inner.ObservationSpace is null)
            throw new EnvContractException(EnvContracts.Spaces, $"{inner.GetType().Name} has no observation space");
        if (inner.ActionSpace is null)
            throw new EnvContractException(EnvContracts.Spaces, $"{inner.GetType().Name} has no action space");
    }

    public override ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var r = Inner.Reset(seed, options);
        if (!_resetChecked)
        {
            EnvContracts.RequireObservationInSpace(Inner.ObservationSpace, r.Observation, EnvContracts.ResetObservation, "Reset");
            EnvContracts.RequireInfo(r.Info, EnvContracts.ResetInfo, "Reset");
            _resetChecked = true;
        }
        return r;
    }

    public override StepResult<TObs> Step(TAct action)
    {
        var s = Inner.Step(action);
        if (!_stepChecked)
        {
            EnvContracts.RequireObservationInSpace(Inner.ObservationSpace, s.Observation, EnvContracts.StepObservation, "Step");
            EnvContracts.RequireFiniteReward(s.Reward);
            EnvContracts.RequireInfo(s.Info, EnvContracts.StepInfo, "Step");
            _stepChecked = true;
        }
        return s;
    }
}
