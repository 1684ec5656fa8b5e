namespace RobotBridge.Sim.Controllers;

/// <summary>What the gripper controller needs to know about one finger each physics step.</summary>
/// <param name="Position">Measured joint position, m (0 closed … 0.05 open).</param>
/// <param name="Velocity">Measured joint velocity, m/s.</param>
/// <param name="Stiffness">The finger servo's kp, N/m (as the model has it now, randomised or not).</param>
/// <param name="Damping">The finger joint's damping, N·s/m, which MuJoCo integrates implicitly.</param>
internal readonly record struct FingerDrive(double Position, double Velocity, double Stiffness, double Damping);

/// <summary>
/// The gripper_controller/gripper_action: a finger separation target (0 closed … 0.1 m open) and a
/// maximum squeeze force. Stall detection follows robot_controllers' ParallelGripperController:
/// stalled when the opening moves less than <see cref="StallDistance"/> over the stall window;
/// holding = stalled while closing on something.
/// </summary>
/// <remarks>
/// The real gripper is one leadscrew driving both fingers: the fingers never move faster than the
/// screw turns, a load cannot back-drive it, and the motor only limits how hard it pushes. The twin
/// models the screw's nut as a shared finger reference r that each finger's position servo (kp)
/// follows, with the finger joint's damping D fed forward at the nut's speed w (so a free finger
/// tracks the nut with no lag). The servo's force is capped at the commanded effort E in the nut's
/// direction of travel and far beyond any load the other way (<c>FetchBody</c>), and
/// <see cref="FingerStops"/> hold what the cap lets go. The force the drive puts on a finger, in the
/// direction of travel, is kp·lag + D·(w − u), lag = how far the nut is ahead of the finger, u = the
/// finger's speed. Each step the nut's speed ramps (<see cref="NutAcceleration"/>) and is bounded,
/// over the finger that limits it most, by
/// <c>w ≤ min(v_max − kp·lag/D, v_max − (u − w_prev), u + (E − kp·lag)/D)</c> (never backwards):
/// <list type="bullet">
/// <item>The first two cap the finger's speed. A finger settles within milliseconds at
/// w + (kp·lag + F)/D, F a load along the travel: the first bound keeps a squeeze stored in the
/// servo's lag, released when a held object slips away, at no more than the leadscrew speed; the
/// second reads F from how far the finger outran the nut last step (table friction dragging a closing
/// finger), which the lag does not show.</item>
/// <item>The third caps the squeeze at the commanded effort E: a blocked finger (u = 0) gets at
/// most E, shifting from the damper to the spring as the nut stops.</item>
/// </list>
/// With D = E_max / v_max (<see cref="Scene.ServoTuning"/>) the first and third agree at full effort.
/// </remarks>
internal sealed class GripperController
{
    public const double MaxSeparation = 0.1;
    public const double StallDistance = 0.005;
    public const double GoalTolerance = 0.002;

    /// <summary>How fast the nut gets up to (and down from) speed, m/s²: full speed in 20 ms, slow
    /// enough for the finger servo to follow without overshooting the speed.</summary>
    public const double NutAcceleration = 2.5;

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

    /// <summary>Speed of the per-finger reference (the leadscrew nut) over the last update, m/s: the
    /// velocity to feed forward through the finger damping.</summary>
    public double ReferenceVelocity { get; private set; }

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
        ReferenceVelocity = 0;
        Effort = _maxFingerForce;
        RestartStallWindow(now, separation);
    }

    /// <summary>Advances the leadscrew nut; returns the per-finger position reference.</summary>
    public double Update(double now, double dt, in FingerDrive left, in FingerDrive right)
    {
        double measuredSeparation = left.Position + right.Position;
        double toGoal = _target / 2 - _fingerRef;
        double direction = Math.Sign(toGoal);
        // Ramped: from the speed it had in this direction, and down to a stop at the goal.
        double running = Math.Sign(ReferenceVelocity) == direction ? Math.Abs(ReferenceVelocity) : 0.0;
        double speed = Math.Min(Math.Min(_fingerSpeed, running + NutAcceleration * dt),
            Math.Min(Math.Sqrt(2 * NutAcceleration * Math.Abs(toGoal)), Math.Abs(toGoal) / dt));
        if (direction != 0)
        {
            speed = Math.Min(speed, Math.Min(NutSpeedFor(left, direction), NutSpeedFor(right, direction)));
        }
        speed = Math.Max(speed, 0.0); // the nut stops under load; a load never drives it back
        ReferenceVelocity = direction * speed;
        _fingerRef += ReferenceVelocity * dt;

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

    /// <summary>Fastest the nut may move in <paramref name="direction"/> for this finger: it keeps the
    /// finger at or under the speed limit and the drive's force on it at or under the effort.</summary>
    private double NutSpeedFor(in FingerDrive finger, double direction)
    {
        if (finger.Damping <= 0)
        {
            return _fingerSpeed; // no damping to meter the finger with: the plain speed-limited reference
        }
        double lagForce = finger.Stiffness * direction * (_fingerRef - finger.Position);
        double speed = direction * finger.Velocity;
        // What pushes the finger past the nut, as its speed shows it: the servo's pull plus any load along
        // the travel (friction dragging it), which the pull alone does not see.
        double ahead = speed - direction * ReferenceVelocity;
        double bySpeed = Math.Min(_fingerSpeed - lagForce / finger.Damping, _fingerSpeed - ahead);
        return Math.Min(bySpeed, speed + (Effort - lagForce) / finger.Damping);
    }

    private void RestartStallWindow(double now, double separation)
    {
        _windowStart = now;
        _windowSeparation = separation;
        Stalled = false;
        Holding = false;
    }
}
