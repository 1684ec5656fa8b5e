using RobotBridge.Robots;

namespace RobotBridge.Sim.Controllers;

/// <summary>
/// The base_controller (DiffDriveBaseController): forward speed and turn rate, limited in speed and
/// acceleration with the real robot's defaults, zeroed when no command arrived for 0.25 s.
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

    public void Command(in Twist twist, double now)
    {
        _commandLinear = Math.Clamp(twist.Vx, -MaxLinearSpeed, MaxLinearSpeed);
        _commandAngular = Math.Clamp(twist.Wz, -MaxAngularSpeed, MaxAngularSpeed);
        _lastCommand = now;
    }

    /// <summary>Zero command and zero speed at once (a stop bypasses the ramps).</summary>
    public void Halt()
    {
        _commandLinear = _commandAngular = 0.0;
        Linear = Angular = 0.0;
        _lastCommand = double.NegativeInfinity;
    }

    public void Update(double now, double dt)
    {
        if (now - _lastCommand > CommandTimeout.TotalSeconds)
        {
            _commandLinear = _commandAngular = 0.0;
        }
        Linear += Math.Clamp(_commandLinear - Linear, -MaxLinearAcceleration * dt, MaxLinearAcceleration * dt);
        Angular += Math.Clamp(_commandAngular - Angular, -MaxAngularAcceleration * dt, MaxAngularAcceleration * dt);
    }

    public double LeftWheelSpeed => (Linear - Angular * TrackWidth / 2) / WheelRadius;

    public double RightWheelSpeed => (Linear + Angular * TrackWidth / 2) / WheelRadius;
}
