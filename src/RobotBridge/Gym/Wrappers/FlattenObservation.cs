using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Wrappers;

/// <summary>
/// Turns any observation into one flat <c>double[]</c> (Gymnasium's FlattenObservation), for MLP
/// policies: Box elements as they are, Discrete/MultiDiscrete one-hot, Dict/Tuple children
/// concatenated in order (for goal envs: achieved_goal, desired_goal, observation). Always float64,
/// whatever the children's dtypes. The returned array is reused every call.
/// </summary>
public sealed class FlattenObservation<TObs, TAct> : ObservationWrapper<double[], TObs, TAct>
{
    private readonly Box<double> _space;
    private readonly double[] _flat;

    public FlattenObservation(IEnv<TObs, TAct> inner) : base(inner)
    {
        _space = SpaceFlattening.FlattenSpace(inner.ObservationSpace);
        _flat = new double[_space.Size];
    }

    public override Space<double[]> ObservationSpace => _space;

    protected override double[] Observation(TObs observation)
    {
        Inner.ObservationSpace.Flatten(observation, _flat);
        return _flat;
    }
}
