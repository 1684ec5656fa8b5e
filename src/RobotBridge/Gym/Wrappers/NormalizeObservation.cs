using System.Numerics;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Wrappers;

/// <summary>
/// Normalises each element of a Box observation to (x - mean) / sqrt(var + epsilon) with running
/// statistics (Gymnasium's NormalizeObservation). Set <see cref="UpdateRunningMean"/> false to freeze
/// the statistics for evaluation and deployment; <see cref="Statistics"/> can be saved and passed to
/// the constructor to restore them.
/// </summary>
/// <remarks>The statistics are updated with each observation before it is normalised, as Gymnasium
/// does. The returned observation is a buffer this wrapper reuses every call.</remarks>
public sealed class NormalizeObservation<T, TAct> : ObservationWrapper<T[], T[], TAct> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Box<T> _space;
    private readonly T[] _normalized;
    private readonly double[] _sample;

    public NormalizeObservation(IEnv<T[], TAct> inner, double epsilon = 1e-8, RunningMeanStd? statistics = null) : base(inner)
    {
        var box = inner.ObservationSpace as Box<T>
            ?? throw new InvalidEnvArgumentException($"NormalizeObservation needs a Box<{typeof(T).Name}> observation; flatten Dict observations first (FlattenObservation). The env has {inner.ObservationSpace.ToJson()}");
        if (statistics is not null && statistics.Size != box.Size)
            throw new InvalidEnvArgumentException($"saved statistics have {statistics.Size} elements, the observation has {box.Size}");
        Statistics = statistics ?? new RunningMeanStd(box.Size);
        Epsilon = epsilon;
        _space = new Box<T>(T.NegativeInfinity, T.PositiveInfinity, [.. box.Shape]);
        _normalized = new T[box.Size];
        _sample = new double[box.Size];
    }

    public RunningMeanStd Statistics { get; }
    public double Epsilon { get; }

    /// <summary>True (default) while training; false freezes the statistics.</summary>
    public bool UpdateRunningMean { get; set; } = true;

    public override Space<T[]> ObservationSpace => _space;

    protected override T[] Observation(T[] observation)
    {
        for (int i = 0; i < _sample.Length; i++)
            _sample[i] = double.CreateChecked(observation[i]);
        if (UpdateRunningMean)
            Statistics.Update(_sample);
        var mean = Statistics.Mean;
        var variance = Statistics.Variance;
        for (int i = 0; i < _sample.Length; i++)
            _normalized[i] = T.CreateChecked((_sample[i] - mean[i]) / Math.Sqrt(variance[i] + Epsilon));
        return _normalized;
    }
}
