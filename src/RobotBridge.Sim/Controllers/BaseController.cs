using RobotBridge.Robots;

namespace RobotBridge.Sim.Controllers;

/// <summary>
/// The base_controller (DiffDriveBaseController): forward speed and turn rate, limited in speed and
/// acceleration with the real robot's defaults, zeroed when no command arrived for 0.25 s. It also
/// integrates a reference pose from the ramped speeds, which the twin's base servos hold with position
/// feedback: the real wheel velocity loops (and 113 kg on rubber) keep a base commanded to stand still
/// where it is against a push, where a pure velocity servo would creep at load / damping.
/// </summary>
internal sealed class BaseController
{
    public const double MaxLinearSpeed = 1.0;
    public const double MaxAngularSpeed = 4.5;
    public const double MaxLinearAcceleration = 0.75;
    public const double MaxAngularAcceleration = 3.0;
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(0.25);
    public const double TrackWidth = 0.37476;
    public const double WheelRadius = 1.0 / 16.5289;

    private double _commandLinear;
    private double _commandAngular;
    private double _lastCommand = double.NegativeInfinity;

    public double Linear { get; private set; }

    public double Angular { get; private set; }

    /// <summary>Reference pose the base servos hold (world x, y in m, yaw in rad).</summary>
    public double RefX { get; private set; }

    public double RefY { get; private set; }

    public double RefYaw { get; private set; }

    public void Command(in Twist twist, double now)
    {
        _commandLinear = Math.Clamp(twist.Vx, -MaxLinearSpeed, MaxLinearSpeed);
        _commandAngular = Math.Clamp(twist.Wz, -MaxAngularSpeed, MaxAngularSpeed);
        _lastCommand = now;
    }

    /// <summary>Zero command and zero speed at once (a stop bypasses the ramps); the base holds the
    /// measured pose from now on.</summary>
    public void Halt(double x, double y, double yaw)
    {
        _commandLinear = _commandAngular = 0.0;
        Linear = Angular = 0.0;
        _lastCommand = double.NegativeInfinity;
        RefX = x;
        RefY = y;
        RefYaw = yaw;
    }

    public void Update(double now, double dt)
    {
        if (now - _lastCommand > CommandTimeout.TotalSeconds)
        {
            _commandLinear = _commandAngular = 0.0;
        }
        Linear += Math.Clamp(_commandLinear - Linear, -MaxLinearAcceleration * dt, MaxLinearAcceleration * dt);
        Angular += Math.Clamp(_commandAngular - Angular, -MaxAngularAcceleration * dt, MaxAngularAcceleration * dt);
        RefX += Linear * Math.Cos(RefYaw) * dt;
        RefY += Linear * Math.Sin(RefYaw) * dt;
        RefYaw += Angular * dt;
    }

    public double LeftWheelSpeed => (Linear - Angular * TrackWidth / 2) / WheelRadius;

    public double RightWheelSpeed => (Linear + Angular * TrackWidth / 2) / WheelRadius;
}
