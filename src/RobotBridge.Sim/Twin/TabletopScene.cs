using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// The task scene of the twin's world (urdf/scene/tabletop.xml): the Gym tables and the free objects
/// on them. Places objects, reads their true poses and stands the chosen table in front of the robot;
/// knows nothing of the robot. Shares the world (and its lock) with the <see cref="FetchBody"/>.
/// </summary>
internal sealed class TabletopScene
{
    /// <summary>Where a table not in use is parked, below the floor (z, m).</summary>
    private const double Parked = -5.0;

    private readonly TwinWorld _world;
    private readonly int[] _objectBody = new int[2];
    private readonly int[] _objectQpos = new int[2];
    private readonly int[] _objectDof = new int[2];
    private readonly int _table;
    private readonly int _slideTable;
    private readonly double[] _tablePos = new double[3];
    private readonly double[] _slideTablePos = new double[3];
    private TableLayout _layout = TableLayout.Standard;

    public TabletopScene(TwinWorld world)
    {
        _world = world;
        SimModel model = world.Model;
        SceneObject[] objects = [SceneObject.Cube, SceneObject.Puck];
        string[] bodies = [SceneNames.Cube, SceneNames.Puck], joints = [SceneNames.CubeJoint, SceneNames.PuckJoint];
        for (int i = 0; i < objects.Length; i++)
        {
            _objectBody[i] = model.RequireId(MjObject.Body, bodies[i]);
            int joint = model.RequireId(MjObject.Joint, joints[i]);
            _objectQpos[i] = model.JntQposAdr[joint];
            _objectDof[i] = model.JntDofAdr[joint];
        }
        _table = model.RequireId(MjObject.Body, SceneNames.Table);
        _slideTable = model.RequireId(MjObject.Body, SceneNames.SlideTable);
        model.BodyPos.Slice(3 * _table, 3).CopyTo(_tablePos);
        model.BodyPos.Slice(3 * _slideTable, 3).CopyTo(_slideTablePos);
    }

    /// <summary>The table standing in front of the robot (the other one is parked).</summary>
    public TableLayout Layout
    {
        get
        {
            lock (_world.Gate)
            {
                return _layout;
            }
        }
    }

    public ScenePose GetObjectPose(SceneObject item)
    {
        lock (_world.Gate)
        {
            return _world.BodyPose(_objectBody[(int)item]);
        }
    }

    /// <summary>Places an object at rest.</summary>
    public void SetObjectPose(SceneObject item, in ScenePose pose)
    {
        if (!pose.IsFinite)
        {
            throw new ArgumentException($"pose {pose} for {item} is not finite");
        }
        double norm = Math.Sqrt(pose.Qw * pose.Qw + pose.Qx * pose.Qx + pose.Qy * pose.Qy + pose.Qz * pose.Qz);
        if (norm < 1e-9)
        {
            throw new ArgumentException($"pose quaternion for {item} is zero");
        }
        lock (_world.Gate)
        {
            SimData data = _world.Data;
            Span<double> qpos = data.Qpos.Slice(_objectQpos[(int)item], 7);
            qpos[0] = pose.X; qpos[1] = pose.Y; qpos[2] = pose.Z;
            qpos[3] = pose.Qw / norm; qpos[4] = pose.Qx / norm; qpos[5] = pose.Qy / norm; qpos[6] = pose.Qz / norm;
            data.Qvel.Slice(_objectDof[(int)item], 6).Clear();
            data.Forward();
        }
    }

    public void SetTable(TableLayout layout)
    {
        lock (_world.Gate)
        {
            ApplyTable(layout);
            _world.Data.Forward();
        }
    }

    /// <summary>Stands the current layout's tables again (after a keyframe reset or a restore rewrote
    /// the model's state; the caller holds the gate).</summary>
    public void ReapplyTable() => ApplyTable(_layout);

    /// <summary>Moves the tables of <paramref name="layout"/> into the model (the caller holds the gate
    /// and runs mj_forward afterwards). Objects are placed by the keyframe or by the task.</summary>
    public void ApplyTable(TableLayout layout)
    {
        _layout = layout;
        Span<double> pos = _world.Model.BodyPos;
        _tablePos.CopyTo(pos.Slice(3 * _table, 3));
        _slideTablePos.CopyTo(pos.Slice(3 * _slideTable, 3));
        pos[3 * _table + 2] = layout == TableLayout.Standard ? _tablePos[2] : Parked;
        // Both Gym tables stand on the floor with their centre at the standard table's height.
        pos[3 * _slideTable + 2] = layout == TableLayout.Slide ? _tablePos[2] : Parked;
    }
}
