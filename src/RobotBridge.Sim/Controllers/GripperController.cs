namespace RobotBridge.Sim.Controllers;

/// <summary>
/// The gripper_controller/gripper_action: a finger separation target (0 closed … 0.1 m open) and a
/// maximum squeeze force. Both fingers move together (the real gripper is one leadscrew) at the URDF
/// finger speed; each finger's force is capped at the max effort. Stall detection follows
/// robot_controllers' ParallelGripperController: stalled when the opening moves less than
/// <see cref="StallDistance"/> over the stall window; holding = stalled while closing on something.
/// </summary>
internal sealed class GripperController
{
    public const double MaxSeparation = 0.1;
    public const double StallDistance = 0.005;
    public const double GoalTolerance = 0.002;

    private readonly double _fingerSpeed;
    private readonly double _maxFingerForce;
    private readonly double _stallWindow;
    private double _target = MaxSeparation;
    private double _fingerRef = MaxSeparation / 2;
    private double _windowStart;
    private double _windowSeparation;

    /// <param name="fingerSpeed">Per-finger speed limit, m/s (URDF).</param>
    /// <param name="maxFingerForce">Per-finger force limit, N (URDF effort).</param>
    public GripperController(double fingerSpeed, double maxFingerForce, TimeSpan stallWindow)
    {
        _fingerSpeed = fingerSpeed;
        _maxFingerForce = maxFingerForce;
        _stallWindow = stallWindow.TotalSeconds;
        Effort = maxFingerForce;
    }

    /// <summary>Force cap per finger currently commanded, N.</summary>
    public double Effort { get; private set; }

    public bool Stalled { get; private set; }

    public bool Holding { get; private set; }

    public double Target => _target;

    /// <param name="maxEffort">N; ≤ 0 means the gripper's maximum.</param>
    public void Command(double separation, double maxEffort, double now, double measuredSeparation)
    {
        _target = Math.Clamp(separation, 0.0, MaxSeparation);
        Effort = maxEffort <= 0 ? _maxFingerForce : Math.Min(maxEffort, _maxFingerForce);
        RestartStallWindow(now, measuredSeparation);
    }

    /// <summary>Re-seats the controller on the measured opening (after a reset).</summary>
    public void Reset(double separation, double now)
    {
        _target = Math.Clamp(separation, 0.0, MaxSeparation);
        _fingerRef = _target / 2;
        Effort = _maxFingerForce;
        RestartStallWindow(now, separation);
    }

    /// <summary>Advances the finger setpoint; returns the per-finger position reference.</summary>
    public double Update(double now, double dt, double measuredSeparation)
    {
        double goal = _target / 2;
        double step = _fingerSpeed * dt;
        _fingerRef += Math.Clamp(goal - _fingerRef, -step, step);

        if (Math.Abs(measuredSeparation - _windowSeparation) >= StallDistance)
        {
            RestartStallWindow(now, measuredSeparation);
        }
        else if (now - _windowStart >= _stallWindow)
        {
            Stalled = true;
        }
        Holding = Stalled && measuredSeparation > _target + GoalTolerance && measuredSeparation > StallDistance;
        return _fingerRef;
    }

    private void RestartStallWindow(double now, double separation)
    {
        _windowStart = now;
        _windowSeparation = separation;
        Stalled = false;
        Holding = false;
    }
}
