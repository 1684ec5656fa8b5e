using RobotBridge.Robots;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// The body's joint-state publisher: samples positions, velocities and efforts at its rate in sim
/// time (the real Fetch's ≈ 200 Hz), adds the configured Gaussian noise from its own seeded stream,
/// and serves the sample that is the configured observation latency old.
/// </summary>
/// <remarks>Not thread-safe: the body calls it with the world's lock held.</remarks>
internal sealed class JointStateSensor
{
    private readonly TwinWorld _world;
    private readonly TwinJointMap _map;
    private readonly ObservationNoise _noiseLevel;
    private readonly long _period;
    private readonly StateHistory _history;
    private readonly int _lFinger = FetchJoints.IndexOf(FetchJoints.LGripperFinger);
    private readonly int _rFinger = FetchJoints.IndexOf(FetchJoints.RGripperFinger);
    private Random _noise;
    private long _nextSampleTicks;

    public JointStateSensor(TwinWorld world, TwinJointMap map, FetchTwinOptions options)
    {
        _world = world;
        _map = map;
        _noiseLevel = options.Noise;
        _period = (long)(TimeSpan.TicksPerSecond / options.JointStateRate);
        _history = new StateHistory(options.ObservationLatency, options.JointStateRate);
        _noise = new Random(options.Seed);
    }

    /// <summary>The noise starts a new seeded stream (Reset).</summary>
    public void Reseed(int seed) => _noise = new Random(unchecked(seed * 7919 + 17));

    /// <summary>Serves samples <paramref name="latency"/> old from now on and forgets those held (a task
    /// drawing the latency per episode).</summary>
    public void SetLatency(TimeSpan latency) => _history.SetLatency(latency);

    /// <summary>Forgets every sample (Reset/Restore: no state from before may be served).</summary>
    public void Clear() => _history.Clear();

    /// <summary>True when a sample is due at <paramref name="ticks"/> of sim time.</summary>
    public bool IsDue(long ticks) => ticks >= _nextSampleTicks;

    /// <summary>Copies the sample that is the observation latency old at <paramref name="now"/>.</summary>
    public void ReadAt(TimeSpan now, RobotState state) => _history.ReadAt(now, state);

    /// <summary>Takes a sample now from the measured joint positions <paramref name="q"/> and velocities
    /// <paramref name="v"/> (FetchJoints order) and the world's joint forces.</summary>
    public void Sample(double[] q, double[] v, bool gripperHolding)
    {
        long ticks = _world.Steps * TwinWorld.StepTicks;
        RobotState sample = _history.NextSlot();
        ReadOnlySpan<double> actuatorForce = _world.Data.QfrcActuator, applied = _world.Data.QfrcApplied;
        double sigmaQ = _noiseLevel.PositionStdDev, sigmaV = _noiseLevel.VelocityStdDev;
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            int d = _map.DofAdr[i];
            sample.Position[i] = q[i] + (sigmaQ > 0 ? sigmaQ * Gaussian() : 0.0);
            sample.Velocity[i] = v[i] + (sigmaV > 0 ? sigmaV * Gaussian() : 0.0);
            sample.Effort[i] = actuatorForce[d] + applied[d];
        }
        // A finger's drive force includes its damping (the leadscrew's speed loop, 1200 N·s/m), whose
        // feed-forward sits in qfrc_applied: report the net, not 60 N of feed-forward on a free finger.
        ReadOnlySpan<double> damping = _world.Model.DofDamping;
        foreach (int finger in (ReadOnlySpan<int>)[_lFinger, _rFinger])
        {
            sample.Effort[finger] -= damping[_map.DofAdr[finger]] * v[finger];
        }
        sample.Stamp = sample.ReceivedAt = TimeSpan.FromTicks(ticks);
        sample.IsValid = true;
        sample.GripperHolding = gripperHolding;
        ReadOnlySpan<double> qpos = _world.Data.Qpos;
        sample.BaseX = qpos[_map.BaseQpos[0]];
        sample.BaseY = qpos[_map.BaseQpos[1]];
        sample.BaseYaw = qpos[_map.BaseQpos[2]];
        _history.Commit();
        _nextSampleTicks = (ticks / _period + 1) * _period;
    }

    private double Gaussian()
    {
        // Box–Muller on the twin's own seeded generator.
        double u1 = 1.0 - _noise.NextDouble(), u2 = _noise.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
