using RobotBridge.Robots;

namespace RobotBridge.Sim.Scene;

/// <summary>
/// Gains of the twin's joint servos. These stand in for the Fetch's motor controller boards, whose
/// tuning is not published: stiffness (kp, N·m/rad or N/m), the servo's velocity damping (added to the
/// URDF joint damping and integrated implicitly by MuJoCo, so it is stable at any value) and the
/// reflected rotor inertia (armature) that the URDF does not carry. Chosen for a ≈5–10 Hz, near
/// critically damped response at the 2 ms step.
/// </summary>
public readonly record struct ServoGain(double Kp, double Damping, double Armature);

public static class ServoTuning
{
    /// <summary>Servo gains by URDF joint name, for every position-servoed joint.</summary>
    public static IReadOnlyDictionary<string, ServoGain> PositionServos { get; } = new Dictionary<string, ServoGain>
    {
        // Torso: a leadscrew, which the arm's weight and contacts cannot backdrive. Its damping (speed loop,
        // fed forward while tracking) is 20000 N·s/m, so a 1000 N push on the gripper moves it at 0.05 m/s,
        // half its speed limit. With 2000 a Push policy pressing the gripper against the table dragged the
        // torso at 0.16 m/s and the supervisor stopped the run (measured speed over 1.5 × 0.1 m/s).
        [FetchJoints.TorsoLift] = new(20000, 20000, 5.0),
        [FetchJoints.HeadPan] = new(6, 0.6, 0.01),
        [FetchJoints.HeadTilt] = new(8, 0.6, 0.01),
        [FetchJoints.ShoulderPan] = new(1000, 90, 0.5),
        [FetchJoints.ShoulderLift] = new(1500, 120, 0.5),
        [FetchJoints.UpperarmRoll] = new(600, 36, 0.5),
        [FetchJoints.ElbowFlex] = new(600, 50, 0.5),
        [FetchJoints.ForearmRoll] = new(300, 16, 0.2),
        [FetchJoints.WristFlex] = new(300, 20, 0.2),
        [FetchJoints.WristRoll] = new(100, 7, 0.1),
        // Fingers: the leadscrew's speed loop. With the URDF's 100 the damping is 1200 N·s/m = 60 N / 0.05 m/s
        // (effort / speed), so the squeeze the servo stores can never push a finger faster than the screw
        // turns; GripperController meters the reference against both (see there). The 2.5 kg armature is
        // the screw's reflected rotor inertia, and about the h·D = 2.4 kg that implicit damping adds but
        // MuJoCo's contact solver does not see: with 0.1 kg a closing finger sank 3 mm into the cube at
        // any effort, and the soft contact sprang back against the held nut (a 40 N squeeze at 20 N).
        // kp 20000 (was 5000) holds a finger to the moving nut against table friction along the travel
        // (45 N → 2.3 mm of lead, settling in D/kp = 60 ms); stiffer (50000, 200000) stores the contact's
        // give as squeeze (a 20 N squeeze peaked at 29 and 45 N).
        [FetchJoints.LGripperFinger] = new(20000, 1100, 2.5),
        [FetchJoints.RGripperFinger] = new(20000, 1100, 2.5),
    };

    /// <summary>Force bound of a finger servo against the nut's travel (along it the bound is the
    /// commanded effort), N: the screw, not the motor, holds there. The largest drive force measured
    /// with fingers dragged over the table (FetchTwinGripperTests) is about 100 N, so 1000 N is never
    /// reached in use; it only keeps a stray command (a nut reset far from a finger) from crushing.</summary>
    public const double FingerHoldForce = 1000;

    /// <summary>solreflimit of the finger joints: the leadscrew's stops (<c>FingerStops</c>) are the
    /// joint limits, made as stiff as the 2 ms step allows (time constant 2·dt): MuJoCo's default
    /// 0.02 s let a 100 N drag push a held finger 3 mm into its stop.</summary>
    public const string FingerStopSolref = "0.004 1";

    /// <summary>Velocity servo of the drive wheels (the wheels spin with the base; they do not carry it):
    /// damping, integrated implicitly, with the commanded speed fed forward.</summary>
    public static ServoGain Wheel { get; } = new(0, 2.0, 0.01);

    /// <summary>Velocity servos of the planar base joints (x, y: N per m/s; yaw: N·m per rad/s), same scheme.
    /// Stiff enough that the arm's reaction barely moves a base commanded to stand still.</summary>
    public static ServoGain BaseLinear { get; } = new(0, 40000, 0);
    public static ServoGain BaseAngular { get; } = new(0, 8000, 0);

    /// <summary>Position feedback of the planar base servos, 1/s: the speed added per unit of pose error
    /// (m or rad) on top of the commanded speed. With the damping above the base holds against a push
    /// with 40000 × 10 = 4·10⁵ N/m (8·10⁴ N·m/rad): 100 N moves it 0.25 mm. Error decays in 0.1 s,
    /// overdamped (ζ ≈ 3 for ≈ 113 kg), far inside the 2 ms step's stability limit.</summary>
    public const double BaseHoldRate = 10.0;
}
