using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Tests.Gym;

/// <summary>
/// A small configurable env for wrapper tests (like Gymnasium's GenericTestEnv): the observation is
/// [step count, sum of the first action element so far]; it records the last action it received and
/// terminates after <see cref="TerminateAfter"/> steps when set.
/// </summary>
internal sealed class ProbeEnv(Box<float>? actionSpace = null, int? terminateAfter = null, double reward = 1.0) : Env<double[], float[]>
{
    private readonly Box<double> _observationSpace = new(double.NegativeInfinity, double.PositiveInfinity, 2);
    private readonly Box<float> _actionSpace = actionSpace ?? new Box<float>(-1f, 1f, 2);
    private int _steps;
    private double _sum;

    public override Space<double[]> ObservationSpace => _observationSpace;
    public override Space<float[]> ActionSpace => _actionSpace;
    public int? TerminateAfter { get; } = terminateAfter;
    public float[]? LastAction { get; private set; }
    public int ResetCount { get; private set; }
    public int? LastSeed { get; private set; }

    protected override ResetResult<double[]> OnReset(IReadOnlyDictionary<string, object?>? options)
    {
        _steps = 0;
        _sum = Rng.NextDouble(); // makes the first observation depend on the seed
        ResetCount++;
        return new(Obs(), Info);
    }

    public override StepResult<double[]> Step(float[] action)
    {
        ThrowIfDisposed();
        LastAction = (float[])action.Clone();
        _steps++;
        _sum += action[0];
        Info.Clear();
        return new(Obs(), reward, TerminateAfter is int n && _steps >= n, false, Info);
    }

    private double[] Obs() => [_steps, _sum];
}
