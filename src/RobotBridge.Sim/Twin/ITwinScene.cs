namespace RobotBridge.Sim.Twin;

/// <summary>
/// What a simulated task needs from the twin beyond <see cref="Robots.IRobot"/>: ground-truth poses,
/// placing objects and the robot, choosing the table, seeded resets and state snapshots. Poses are in
/// the world (odom) frame, in which the robot's base starts at the origin facing +x.
/// </summary>
public interface ITwinScene
{
    /// <summary>Robot to the home pose (arm tucked, gripper open), objects to their template places,
    /// goals cancelled, domain randomisation redrawn from <paramref name="seed"/> (the twin's seed when
    /// null). The clock keeps running forward.</summary>
    void Reset(int? seed = null);

    ScenePose GetObjectPose(SceneObject item);

    /// <summary>Places an object at rest.</summary>
    void SetObjectPose(SceneObject item, in ScenePose pose);

    /// <summary>World pose of any named body (e.g. "gripper_link", "base_link").</summary>
    ScenePose GetBodyPose(string body);

    /// <summary>Teleports the robot's joints (FetchJoints.All order) and makes every servo hold there.</summary>
    void SetRobotJoints(ReadOnlySpan<double> positions);

    void SetTable(TableLayout layout);

    TableLayout Table { get; }

    /// <summary>Copies the complete physical and controller state.</summary>
    TwinSnapshot Capture();

    /// <summary>Returns to a captured state (the clock keeps running forward; goals are cancelled).</summary>
    void Restore(TwinSnapshot snapshot);
}

public enum SceneObject
{
    /// <summary>The 5 cm, 2 kg cube of FetchPush / FetchPickAndPlace.</summary>
    Cube,
    /// <summary>The low-friction puck of FetchSlide.</summary>
    Puck,
}

/// <summary>Which Gym table stands in front of the robot.</summary>
public enum TableLayout
{
    /// <summary>Reach / Push / PickAndPlace table: top at z 0.4, centre 0.608 m ahead.</summary>
    Standard,
    /// <summary>FetchSlide's long low-friction table.</summary>
    Slide,
}

/// <summary>Position (m) and orientation quaternion (w, x, y, z).</summary>
public readonly record struct ScenePose(double X, double Y, double Z, double Qw, double Qx, double Qy, double Qz)
{
    public static ScenePose At(double x, double y, double z) => new(x, y, z, 1, 0, 0, 0);

    public bool IsFinite => double.IsFinite(X) && double.IsFinite(Y) && double.IsFinite(Z) &&
                            double.IsFinite(Qw) && double.IsFinite(Qx) && double.IsFinite(Qy) && double.IsFinite(Qz);
}

/// <summary>An opaque copy of the twin's state, taken by <see cref="ITwinScene.Capture"/>.</summary>
public sealed class TwinSnapshot
{
    internal TwinSnapshot(double[] qpos, double[] qvel, double[] warmstart, double[] qRef, double gripperTarget, TableLayout table)
    {
        Qpos = qpos;
        Qvel = qvel;
        Warmstart = warmstart;
        QRef = qRef;
        GripperTarget = gripperTarget;
        Table = table;
    }

    internal double[] Qpos { get; }
    internal double[] Qvel { get; }
    internal double[] Warmstart { get; }
    internal double[] QRef { get; }
    internal double GripperTarget { get; }
    internal TableLayout Table { get; }
}

/// <summary>A simulation fault the twin detected and recovered from.</summary>
public sealed record TwinFault(TimeSpan Time, string Reason);
