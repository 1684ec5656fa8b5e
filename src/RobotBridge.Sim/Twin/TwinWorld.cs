using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// The one MuJoCo world that the robot body and the task scene both live in: the compiled model, its
/// live data, the lock every step, command and scene edit serialises on, the step counter that is the
/// twin's clock, and the log of simulation faults. Owned by <see cref="FetchTwin"/>; the body and the
/// scene only borrow it.
/// </summary>
internal sealed class TwinWorld : IDisposable
{
    public static readonly long StepTicks = TimeSpan.FromMilliseconds(2).Ticks;

    private readonly List<TwinFault> _faults = new();
    private long _step;
    private long _epochStep;

    /// <summary>Takes ownership of <paramref name="model"/> (disposed with the world, also when this
    /// constructor throws).</summary>
    public TwinWorld(SimModel model)
    {
        Model = model;
        try
        {
            Data = new SimData(model);
            Dt = model.Timestep;
            if (Math.Abs(Dt - 0.002) > 1e-12)
            {
                throw new SceneBuildException($"the scene's timestep is {Dt} s; the twin's clock runs on 2 ms steps");
            }
        }
        catch
        {
            Data?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>Held by whoever steps the physics or reads/writes the model or data.</summary>
    public object Gate { get; } = new();

    public SimModel Model { get; }

    public SimData Data { get; }

    /// <summary>Physics timestep, s (2 ms).</summary>
    public double Dt { get; }

    /// <summary>Physics steps taken since creation (never goes back).</summary>
    public long Steps => Interlocked.Read(ref _step);

    /// <summary>Sim time: whole 2 ms steps since creation.</summary>
    public TimeSpan SimTime => TimeSpan.FromTicks(Steps * StepTicks);

    /// <summary>The step of the last Reset/Restore.</summary>
    public long EpochStep => _epochStep;

    /// <summary>Controller time (s) since the last Reset/Restore. Controllers measure time from the
    /// state they were restored into, not from the clock's origin, so an episode restored from a
    /// snapshot replays bit for bit whenever it starts (absolute times differ in their rounding).</summary>
    public double Seconds => (_step - _epochStep) * Dt;

    public bool IsDisposed { get; private set; }

    /// <summary>Counts one physics step (after mj_step2).</summary>
    public void CountStep() => Interlocked.Increment(ref _step);

    /// <summary>Controller time starts again from zero (Reset/Restore).</summary>
    public void StartEpoch() => _epochStep = _step;

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, typeof(FetchTwin));

    /// <summary>Simulation faults detected so far (each one put the twin into a safe state).</summary>
    public TwinFault[] Faults
    {
        get
        {
            lock (Gate)
            {
                return _faults.ToArray();
            }
        }
    }

    /// <summary>Raised (on the stepping thread, or the real-time camera's render thread, with the gate held) after a fault was recovered from.</summary>
    public event Action<TwinFault>? Faulted;

    /// <summary>Logs a fault the caller has already recovered from and tells the subscribers.</summary>
    public void Report(TwinFault fault)
    {
        _faults.Add(fault);
        Faulted?.Invoke(fault);
    }

    public ScenePose BodyPose(int body)
    {
        ReadOnlySpan<double> p = Data.Xpos.Slice(3 * body, 3), q = Data.Xquat.Slice(4 * body, 4);
        return new ScenePose(p[0], p[1], p[2], q[0], q[1], q[2], q[3]);
    }

    /// <summary>Frees the native model and data; the caller holds the gate.</summary>
    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }
        IsDisposed = true;
        Data.Dispose();
        Model.Dispose();
    }
}
