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
    private readonly int[] _objectGeom = new int[2];
    private readonly int _table;
    private readonly int _slideTable;
    private readonly int _tableGeom;
    private readonly int _slideTableGeom;
    private readonly double[] _tablePos = new double[3];
    private readonly double[] _slideTablePos = new double[3];
    private TableLayout _layout = TableLayout.Standard;

    public TabletopScene(TwinWorld world)
    {
        _world = world;
        SimModel model = world.Model;
        SceneObject[] objects = [SceneObject.Cube, SceneObject.Puck];
        string[] bodies = [SceneNames.Cube, SceneNames.Puck], joints = [SceneNames.CubeJoint, SceneNames.PuckJoint];
        string[] geoms = [SceneNames.CubeGeom, SceneNames.PuckGeom];
        for (int i = 0; i < objects.Length; i++)
        {
            _objectBody[i] = model.RequireId(MjObject.Body, bodies[i]);
            int joint = model.RequireId(MjObject.Joint, joints[i]);
            _objectQpos[i] = model.JntQposAdr[joint];
            _objectDof[i] = model.JntDofAdr[joint];
            _objectGeom[i] = model.RequireId(MjObject.Geom, geoms[i]);
        }
        _table = model.RequireId(MjObject.Body, SceneNames.Table);
        _slideTable = model.RequireId(MjObject.Body, SceneNames.SlideTable);
        _tableGeom = model.RequireId(MjObject.Geom, SceneNames.TableGeom);
        _slideTableGeom = model.RequireId(MjObject.Geom, SceneNames.SlideTableGeom);
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

    /// <summary>
    /// Places <paramref name="item"/> at rest on the standing table, centred at world (<paramref name="x"/>,
    /// <paramref name="y"/>) and turned by <paramref name="yaw"/> about the vertical; null when placed, else
    /// why not, having moved nothing. The whole object must lie on the top: a cube hanging over the edge
    /// would tip off, and one beside the table would fall to the floor, out of every task's reach.
    /// </summary>
    public string? TryPlaceOnTable(SceneObject item, double x, double y, double yaw)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(yaw))
        {
            return $"({x}, {y}, yaw {yaw}) is not finite";
        }
        lock (_world.Gate)
        {
            SimModel model = _world.Model;
            bool slide = _layout == TableLayout.Slide;
            ReadOnlySpan<double> centre = model.BodyPos.Slice(3 * (slide ? _slideTable : _table), 3);
            ReadOnlySpan<double> half = model.GeomSize.Slice(3 * (slide ? _slideTableGeom : _tableGeom), 3);
            ReadOnlySpan<double> size = model.GeomSize.Slice(3 * _objectGeom[(int)item], 3);
            // A box's size is its half extents, a cylinder's its radius and half height.
            double footprint = item == SceneObject.Cube ? Math.Sqrt(size[0] * size[0] + size[1] * size[1]) : size[0];
            double halfHeight = item == SceneObject.Cube ? size[2] : size[1];
            if (Math.Abs(x - centre[0]) > half[0] - footprint || Math.Abs(y - centre[1]) > half[1] - footprint)
            {
                return $"is off the {(slide ? "slide " : "")}table: world ({x:F3}, {y:F3}), where the {item.ToString().ToLowerInvariant()}'s centre must lie within " +
                       $"x {centre[0] - half[0] + footprint:F3}..{centre[0] + half[0] - footprint:F3}, y {centre[1] - half[1] + footprint:F3}..{centre[1] + half[1] - footprint:F3}";
            }
            SetObjectPose(item, new ScenePose(x, y, centre[2] + half[2] + halfHeight, Math.Cos(yaw / 2), 0, 0, Math.Sin(yaw / 2)));
            return null;
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
