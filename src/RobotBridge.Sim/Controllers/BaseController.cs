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

    /// <summary>
    /// A stop: the command becomes zero, as the real robot's stop sends the base_controller a zero twist
    /// (RosFetch.Stop); robot_controllers' DiffDriveBaseController then ramps its sent speeds down at its
    /// deceleration limits (update(): last_sent_x_ = x_accel_profile_.interpolate(desired_x_, last_sent_x_, dt),
    /// fetchrobotics/robot_controllers diff_drive_base.cpp), the same ramp as after its 0.25 s command timeout.
    /// It does not stop the wheels dead: a base halted from 0.3 m/s in one 2 ms step (wheels 5 rad/s to 0)
    /// threw the weak head servos 0.06-0.075 rad (AdversarialActionPropertyTests seeds 5 and 9).
    /// </summary>
    public void Brake()
    {
        _commandLinear = _commandAngular = 0.0;
        _lastCommand = double.NegativeInfinity;
    }

    /// <summary>Zero command and zero speed at once; the base holds the measured pose from now on. Only for
    /// a world put somewhere else (reset, teleport, restored snapshot): a stop is <see cref="Brake"/>.</summary>
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

    /// <summary>
    /// Farthest the reference pose may lead the measured one (m, and rad for yaw). A base blocked by a table
    /// kept integrating its commanded speed into the reference: 2.5 s against the table's edge at 0.3 m/s,
    /// and when it slid free the hold term (10/s × the lead) flung it at over 5 m/s and the head pan past
    /// its limit (AdversarialActionPropertyTests seed 9, cycle 40474). The real base has no such memory:
    /// its wheels run velocity loops with bounded motor effort (URDF 8.85 N·m each, 293 N on the floor
    /// for both). 0.01 still holds against 4000 N and 800 N·m (with the servos' damping: lead × 10/s × 40000
    /// N·s/m, × 8000 N·m·s/rad), far above any push in use, and a base that comes free catches up at most
    /// 0.1 m/s (rad/s) over its commanded speed.
    /// </summary>
    public const double MaxLead = 0.01;

    /// <summary>Keeps the reference pose within <see cref="MaxLead"/> of the measured pose (x, y in m, yaw in rad).</summary>
    public void Follow(double x, double y, double yaw)
    {
        double dx = RefX - x, dy = RefY - y;
        double lead = Math.Sqrt(dx * dx + dy * dy);
        if (lead > MaxLead)
        {
            RefX = x + dx * MaxLead / lead;
            RefY = y + dy * MaxLead / lead;
        }
        double turn = Math.IEEERemainder(RefYaw - yaw, 2 * Math.PI);
        if (Math.Abs(turn) > MaxLead)
        {
            RefYaw = yaw + Math.CopySign(MaxLead, turn);
        }
    }

    public double LeftWheelSpeed => (Linear - Angular * TrackWidth / 2) / WheelRadius;

    public double RightWheelSpeed => (Linear + Angular * TrackWidth / 2) / WheelRadius;
}
