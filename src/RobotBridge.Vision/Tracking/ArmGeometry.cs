using RobotBridge.Model;
using RobotBridge.Model.Kinematics;
using RobotBridge.Robots;

namespace RobotBridge.Vision.Tracking;

/// <summary>
/// Where the arm is for one joint state, as the tracker needs it to reason about an object the camera did
/// not see: the arm as capsules between its link frames (URDF forward kinematics), the camera's position,
/// the grip site's pose and the fingers' separation. Answers "does the arm stand between the camera and a
/// point" and "is the arm near a point". Holds scratch buffers: one instance per tracker, no allocation
/// per call.
/// </summary>
internal sealed class ArmGeometry
{
    /// <summary>The arm's link frames from the shoulder to the gripper, in chain order: consecutive frames
    /// bound one capsule.</summary>
    private static readonly string[] ArmLinks =
    [
        "shoulder_lift_link", "upperarm_roll_link", "elbow_flex_link", "forearm_roll_link",
        "wrist_flex_link", "wrist_roll_link", "gripper_link",
    ];

    /// <summary>Radius of the arm's capsules (m): the URDF's largest arm cylinder (the upper arm's 0.06 m).</summary>
    public const double LinkRadius = 0.06;

    /// <summary>Radius of the gripper's capsule (m): the fingers' outer faces when fully open (the finger
    /// joint's 0.015 m offset, 0.05 m of travel, 0.007 m of pad) and a little.</summary>
    public const double GripperRadius = 0.075;

    /// <summary>The fingertips' end of the gripper, ahead of gripper_link along its x axis (m): the finger
    /// pads are 6 cm long, centred about 1 cm ahead of it.</summary>
    private const double FingertipReach = 0.045;

    private readonly KinematicChain[] _links;
    private readonly KinematicChain _camera;
    private static readonly RigidTransform GripSite = RigidTransform.FromTranslation(RobotBridge.Tasks.FetchArmKinematics.GripSiteOffset);
    private readonly int[] _slots;
    private readonly double[] _q;
    private readonly Vec3[] _points;
    private readonly int _leftFinger = FetchJoints.IndexOf(FetchJoints.LGripperFinger);
    private readonly int _rightFinger = FetchJoints.IndexOf(FetchJoints.RGripperFinger);

    public ArmGeometry(RobotModel model, string cameraFrame)
    {
        _links = [.. ArmLinks.Select(l => new KinematicChain(model, l))];
        _camera = new KinematicChain(model, cameraFrame);
        _q = model.CreateHomeVector();
        _slots = new int[FetchJoints.Count];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = model.VariableIndexOf(FetchJoints.All[i]);
        }
        _points = new Vec3[ArmLinks.Length + 1];
    }

    /// <summary>The camera's position (base_link) for the last <see cref="Load"/>.</summary>
    public Vec3 Camera { get; private set; }

    /// <summary>The grip site's pose (base_link) for the last <see cref="Load"/>.</summary>
    public RigidTransform Grip { get; private set; }

    /// <summary>Finger separation (m, the two finger joints' sum) for the last <see cref="Load"/>.</summary>
    public double FingerSeparation { get; private set; }

    /// <summary>Places the arm for joint positions in <see cref="FetchJoints.All"/> order.</summary>
    public void Load(ReadOnlySpan<double> positions)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (_slots[i] >= 0)
            {
                _q[_slots[i]] = positions[i];
            }
        }
        for (int i = 0; i + 1 < _links.Length; i++)
        {
            _points[i] = _links[i].Pose(_q).Translation;
        }
        RigidTransform gripper = _links[^1].Pose(_q); // the last link: its pose also places the grip site and fingertips
        _points[^2] = gripper.Translation;
        _points[^1] = gripper.TransformPoint(new Vec3(FingertipReach, 0, 0));
        Camera = _camera.Pose(_q).Translation;
        Grip = gripper * GripSite;
        FingerSeparation = positions[_leftFinger] + positions[_rightFinger];
    }

    /// <summary>The smallest clearance between the arm's surface (capsules) and the sphere of
    /// <paramref name="radius"/> about <paramref name="centre"/>; negative when they overlap.</summary>
    public double Clearance(Vec3 centre, double radius)
    {
        double clearance = double.PositiveInfinity;
        for (int i = 0; i + 1 < _points.Length; i++)
        {
            double r = i + 2 == _points.Length ? GripperRadius : LinkRadius;
            clearance = Math.Min(clearance, Distance(centre, _points[i], _points[i + 1]) - r - radius);
        }
        return clearance;
    }

    /// <summary>True when some capsule of the arm comes within <paramref name="radius"/> of the camera's line of
    /// sight to <paramref name="target"/>: the arm covers at least part of a sphere of that radius there.</summary>
    public bool StandsBetweenCameraAnd(Vec3 target, double radius)
    {
        for (int i = 0; i + 1 < _points.Length; i++)
        {
            double r = i + 2 == _points.Length ? GripperRadius : LinkRadius;
            if (Distance(Camera, target, _points[i], _points[i + 1]) < r + radius)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Distance from point <paramref name="p"/> to the segment a–b.</summary>
    internal static double Distance(Vec3 p, Vec3 a, Vec3 b)
    {
        Vec3 ab = b - a;
        double length2 = Vec3.Dot(ab, ab);
        double t = length2 > 0 ? Math.Clamp(Vec3.Dot(p - a, ab) / length2, 0, 1) : 0;
        return (a + t * ab - p).Length;
    }

    /// <summary>Distance between the segments p1–q1 and p2–q2 (closest points, clamped to both segments;
    /// Ericson, Real-Time Collision Detection, 5.1.9).</summary>
    internal static double Distance(Vec3 p1, Vec3 q1, Vec3 p2, Vec3 q2)
    {
        Vec3 d1 = q1 - p1, d2 = q2 - p2, r = p1 - p2;
        double a = Vec3.Dot(d1, d1), e = Vec3.Dot(d2, d2), f = Vec3.Dot(d2, r);
        double s, t;
        if (a <= 1e-12 && e <= 1e-12)
        {
            return r.Length;
        }
        if (a <= 1e-12)
        {
            (s, t) = (0, Math.Clamp(f / e, 0, 1));
        }
        else
        {
            double c = Vec3.Dot(d1, r);
            if (e <= 1e-12)
            {
                (s, t) = (Math.Clamp(-c / a, 0, 1), 0);
            }
            else
            {
                double b = Vec3.Dot(d1, d2), denom = a * e - b * b;
                s = denom > 1e-12 ? Math.Clamp((b * f - c * e) / denom, 0, 1) : 0;
                t = (b * s + f) / e;
                if (t < 0)
                {
                    (s, t) = (Math.Clamp(-c / a, 0, 1), 0);
                }
                else if (t > 1)
                {
                    (s, t) = (Math.Clamp((b - c) / a, 0, 1), 1);
                }
            }
        }
        return (p1 + s * d1 - (p2 + t * d2)).Length;
    }
}
