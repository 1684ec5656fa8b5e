using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>How the twin's time moves.</summary>
public enum TwinClockMode
{
    /// <summary>Time moves only when someone waits on the clock; physics runs as fast as the CPU allows.</summary>
    Lockstep,
    /// <summary>A background thread steps physics to track the wall clock (for serving the twin to other programs).</summary>
    RealTime,
}

/// <summary>Head camera rendering. Off by default: rendering is the twin's most expensive part.</summary>
public sealed record HeadCameraOptions(bool Enabled, int Width, int Height, double Rate, bool Depth)
{
    public static HeadCameraOptions Off { get; } = new(false, 640, 480, 15, true);

    /// <summary>The real Carmine's published stream: 640x480 RGB + depth at 15 Hz.</summary>
    public static HeadCameraOptions Carmine { get; } = new(true, 640, 480, 15, true);

    /// <summary>Small square images for policies, at the Gym control rate.</summary>
    public static HeadCameraOptions Policy(int size, double rate = 25, bool depth = false) => new(true, size, size, rate, depth);

    public void Validate()
    {
        if (!Enabled)
        {
            return;
        }
        if (Width is <= 0 or > 4096 || Height is <= 0 or > 4096)
        {
            throw new ArgumentException($"head camera resolution {Width}x{Height} must be between 1 and 4096 per side");
        }
        if (!double.IsFinite(Rate) || Rate <= 0 || Rate > 500)
        {
            throw new ArgumentException($"head camera rate {Rate} Hz must be in (0, 500]");
        }
    }
}

/// <summary>Zero-mean Gaussian noise added to the joint state the twin reports (not to its physics).</summary>
public sealed record ObservationNoise(double PositionStdDev, double VelocityStdDev)
{
    public static ObservationNoise None { get; } = new(0, 0);
}

/// <summary>
/// Seeded domain randomisation, redrawn at every <see cref="ITwinScene.Reset"/>. Scales are relative
/// half-widths: 0.1 draws each factor uniformly from [0.9, 1.1]. Jitters are absolute half-widths.
/// </summary>
public sealed record DomainRandomisation
{
    public static DomainRandomisation None { get; } = new();

    /// <summary>Sliding friction of every geom.</summary>
    public double FrictionScale { get; init; }
    /// <summary>Mass and inertia of every body.</summary>
    public double MassScale { get; init; }
    /// <summary>Joint damping (URDF damping plus servo damping).</summary>
    public double DampingScale { get; init; }
    /// <summary>Servo stiffness (actuator kp).</summary>
    public double GainScale { get; init; }
    /// <summary>Head camera position, metres per axis.</summary>
    public double CameraPositionJitter { get; init; }
    /// <summary>Head camera orientation, radians per axis.</summary>
    public double CameraRotationJitter { get; init; }
    /// <summary>Light intensity.</summary>
    public double LightScale { get; init; }

    public void Validate()
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(FrictionScale), FrictionScale), (nameof(MassScale), MassScale), (nameof(DampingScale), DampingScale),
                     (nameof(GainScale), GainScale), (nameof(LightScale), LightScale),
                 })
        {
            if (!double.IsFinite(value) || value < 0 || value >= 1)
            {
                throw new ArgumentException($"domain randomisation {name} = {value} must be in [0, 1)");
            }
        }
        if (!double.IsFinite(CameraPositionJitter) || CameraPositionJitter < 0 || !double.IsFinite(CameraRotationJitter) || CameraRotationJitter < 0)
        {
            throw new ArgumentException("camera jitters must be finite and non-negative");
        }
    }
}

/// <summary>Everything that configures a <see cref="FetchTwin"/>. Defaults: lockstep, camera off,
/// joint state at the real robot's 200 Hz, no noise, no latency, no randomisation.</summary>
public sealed record FetchTwinOptions
{
    public int Seed { get; init; }
    public TwinClockMode ClockMode { get; init; } = TwinClockMode.Lockstep;
    public HeadCameraOptions Camera { get; init; } = HeadCameraOptions.Off;
    /// <summary>Rate at which joint state is published, in sim time (real Fetch ≈ 200 Hz).</summary>
    public double JointStateRate { get; init; } = 200;
    /// <summary>Delay between a command call and the controllers seeing it.</summary>
    public TimeSpan CommandLatency { get; init; }
    /// <summary>Age of the joint state <see cref="FetchTwin.ReadState"/> returns.</summary>
    public TimeSpan ObservationLatency { get; init; }
    public ObservationNoise Noise { get; init; } = ObservationNoise.None;
    public DomainRandomisation Randomisation { get; init; } = DomainRandomisation.None;
    /// <summary>ParallelGripperController's stall window (2 s upstream).</summary>
    public TimeSpan GripperStallWindow { get; init; } = TimeSpan.FromSeconds(2);
    public SceneFiles Scene { get; init; } = SceneFiles.Default;

    public void Validate()
    {
        Camera.Validate();
        Randomisation.Validate();
        if (!double.IsFinite(JointStateRate) || JointStateRate <= 0 || JointStateRate > 500)
        {
            throw new ArgumentException($"joint state rate {JointStateRate} Hz must be in (0, 500] (the physics runs at 500 Hz)");
        }
        if (CommandLatency < TimeSpan.Zero || ObservationLatency < TimeSpan.Zero ||
            CommandLatency > TimeSpan.FromSeconds(5) || ObservationLatency > TimeSpan.FromSeconds(5))
        {
            throw new ArgumentException("latencies must be between 0 and 5 s");
        }
        if (!double.IsFinite(Noise.PositionStdDev) || Noise.PositionStdDev < 0 || !double.IsFinite(Noise.VelocityStdDev) || Noise.VelocityStdDev < 0)
        {
            throw new ArgumentException("observation noise standard deviations must be finite and non-negative");
        }
        if (GripperStallWindow <= TimeSpan.Zero)
        {
            throw new ArgumentException("the gripper stall window must be positive");
        }
    }
}
