using System.Text;

namespace RobotBridge.Sim.Interop;

/// <summary>
/// A compiled MuJoCo model (mjModel): constant during simulation except for the parameters domain
/// randomisation deliberately rewrites. Spans returned here alias native memory owned by this object;
/// they are valid until <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class SimModel : IDisposable
{
    private const int ErrorBufferSize = 1000;
    private readonly MjModelHandle _handle;

    private SimModel(MjModelHandle handle)
    {
        _handle = handle;
        Ptr = handle.DangerousGetHandle();
    }

    /// <summary>Raw mjModel* for the interop layer. Valid while this object is alive.</summary>
    internal IntPtr Ptr { get; }

    /// <summary>Serialises mj_loadXML across the process (a lock, not state).</summary>
    private static readonly object NativeLoadGate = new();

    /// <summary>Compiles an MJCF or URDF file. Throws <see cref="SimModelLoadException"/> carrying
    /// MuJoCo's own message (file, element, line) when compilation fails.</summary>
    public static SimModel Load(string path)
    {
        MuJoCoLibrary.EnsureLoaded();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file '{path}' does not exist", path);
        }
        byte* error = stackalloc byte[ErrorBufferSize];
        error[0] = 0;
        IntPtr model;
        // MuJoCo 2.2 parses into one process-global model holder (see SaveLastXml): two twins
        // compiled at once corrupt each other ("repeated name in joint array"), so loads serialise.
        lock (NativeLoadGate)
        {
            model = MuJoCoNative.mj_loadXML(path, IntPtr.Zero, error, ErrorBufferSize);
        }
        if (model == IntPtr.Zero)
        {
            throw new SimModelLoadException($"MuJoCo could not compile '{path}': {ReadCString(error)}");
        }
        return new SimModel(new MjModelHandle(model));
    }

    /// <summary>Compiles an MJCF or URDF file and writes MuJoCo's MJCF rendering of it to
    /// <paramref name="mjcfPath"/> (how a URDF becomes MJCF). mj_saveLastXML reads the process-global
    /// parse result, so load and save happen under the same gate as every other load.</summary>
    public static void ConvertToMjcf(string path, string mjcfPath)
    {
        MuJoCoLibrary.EnsureLoaded();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file '{path}' does not exist", path);
        }
        byte* error = stackalloc byte[ErrorBufferSize];
        error[0] = 0;
        lock (NativeLoadGate)
        {
            IntPtr model = MuJoCoNative.mj_loadXML(path, IntPtr.Zero, error, ErrorBufferSize);
            if (model == IntPtr.Zero)
            {
                throw new SimModelLoadException($"MuJoCo could not compile '{path}': {ReadCString(error)}");
            }
            using var owned = new SimModel(new MjModelHandle(model));
            if (MuJoCoNative.mj_saveLastXML(mjcfPath, owned.Ptr, error, ErrorBufferSize) == 0)
            {
                throw new SimModelLoadException($"MuJoCo could not save MJCF to '{mjcfPath}': {ReadCString(error)}");
            }
        }
    }

    public int Nq => ReadInt(MjModelLayout.nq);
    public int Nv => ReadInt(MjModelLayout.nv);
    public int Nu => ReadInt(MjModelLayout.nu);
    public int NBody => ReadInt(MjModelLayout.nbody);
    public int NJnt => ReadInt(MjModelLayout.njnt);
    public int NGeom => ReadInt(MjModelLayout.ngeom);
    public int NCam => ReadInt(MjModelLayout.ncam);
    public int NLight => ReadInt(MjModelLayout.nlight);
    public int NKey => ReadInt(MjModelLayout.nkey);

    public double Timestep
    {
        get => *(double*)(Ptr + MjModelLayout.opt_timestep);
        set => *(double*)(Ptr + MjModelLayout.opt_timestep) = value;
    }

    /// <summary>Offscreen framebuffer size the renderer will allocate (vis.global.offwidth/offheight).</summary>
    internal int OffscreenWidth
    {
        get => ReadInt(MjModelLayout.vis_global_offwidth);
        set => *(int*)(Ptr + MjModelLayout.vis_global_offwidth) = value;
    }

    internal int OffscreenHeight
    {
        get => ReadInt(MjModelLayout.vis_global_offheight);
        set => *(int*)(Ptr + MjModelLayout.vis_global_offheight) = value;
    }

    /// <summary>Near/far clip distances in metres (vis.map.znear/zfar are fractions of stat.extent).</summary>
    internal double ZNear => *(float*)(Ptr + MjModelLayout.vis_map_znear) * Extent;
    internal double ZFar => *(float*)(Ptr + MjModelLayout.vis_map_zfar) * Extent;
    internal double Extent => *(double*)(Ptr + MjModelLayout.stat_extent);

    /// <summary>(nq) reference configuration.</summary>
    public Span<double> Qpos0 => Doubles(MjModelLayout.qpos0, Nq);
    /// <summary>(nbody) body masses, kg.</summary>
    public Span<double> BodyMass => Doubles(MjModelLayout.body_mass, NBody);
    /// <summary>(nbody x 3) diagonal inertia.</summary>
    public Span<double> BodyInertia => Doubles(MjModelLayout.body_inertia, NBody * 3);
    /// <summary>(nbody x 3) body position relative to its parent (static bodies can be moved here).</summary>
    public Span<double> BodyPos => Doubles(MjModelLayout.body_pos, NBody * 3);
    /// <summary>(njnt) whether each joint has limits (mjtByte).</summary>
    public Span<byte> JntLimited => new((void*)*(IntPtr*)(Ptr + MjModelLayout.jnt_limited), NJnt);
    /// <summary>(njnt) joint types (mjtJoint).</summary>
    public Span<int> JntType => Ints(MjModelLayout.jnt_type, NJnt);
    /// <summary>(njnt) start address of each joint in qpos.</summary>
    public Span<int> JntQposAdr => Ints(MjModelLayout.jnt_qposadr, NJnt);
    /// <summary>(njnt) start address of each joint in qvel.</summary>
    public Span<int> JntDofAdr => Ints(MjModelLayout.jnt_dofadr, NJnt);
    /// <summary>(njnt x 2) joint limits.</summary>
    public Span<double> JntRange => Doubles(MjModelLayout.jnt_range, NJnt * 2);
    /// <summary>(nv) armature (reflected rotor inertia).</summary>
    public Span<double> DofArmature => Doubles(MjModelLayout.dof_armature, Nv);
    /// <summary>(nv) viscous damping.</summary>
    public Span<double> DofDamping => Doubles(MjModelLayout.dof_damping, Nv);
    /// <summary>(ngeom x 3) sliding, torsional, rolling friction.</summary>
    public Span<double> GeomFriction => Doubles(MjModelLayout.geom_friction, NGeom * 3);
    /// <summary>(ngeom x 3) geom size parameters.</summary>
    public Span<double> GeomSize => Doubles(MjModelLayout.geom_size, NGeom * 3);
    /// <summary>(ngeom) owning body of each geom.</summary>
    public Span<int> GeomBodyId => Ints(MjModelLayout.geom_bodyid, NGeom);
    /// <summary>(ncam x 3) camera position in its body frame.</summary>
    public Span<double> CamPos => Doubles(MjModelLayout.cam_pos, NCam * 3);
    /// <summary>(ncam x 4) camera orientation in its body frame.</summary>
    public Span<double> CamQuat => Doubles(MjModelLayout.cam_quat, NCam * 4);
    /// <summary>(ncam) vertical field of view, degrees.</summary>
    public Span<double> CamFovy => Doubles(MjModelLayout.cam_fovy, NCam);
    /// <summary>(nlight x 3) light position.</summary>
    public Span<double> LightPos => Doubles(MjModelLayout.light_pos, NLight * 3);
    /// <summary>(nlight x 3) diffuse colour.</summary>
    public Span<float> LightDiffuse => new((void*)*(IntPtr*)(Ptr + MjModelLayout.light_diffuse), NLight * 3);
    /// <summary>(nu x 2) transmission target ids (joint id for joint actuators).</summary>
    public Span<int> ActuatorTrnId => Ints(MjModelLayout.actuator_trnid, Nu * 2);
    /// <summary>(nu x mjNGAIN) gain parameters.</summary>
    public Span<double> ActuatorGainPrm => Doubles(MjModelLayout.actuator_gainprm, Nu * MjEnums.mjNGAIN);
    /// <summary>(nu x mjNBIAS) bias parameters.</summary>
    public Span<double> ActuatorBiasPrm => Doubles(MjModelLayout.actuator_biasprm, Nu * MjEnums.mjNBIAS);
    /// <summary>(nu x 2) force limits.</summary>
    public Span<double> ActuatorForceRange => Doubles(MjModelLayout.actuator_forcerange, Nu * 2);
    /// <summary>(nkey x nq) keyframe positions.</summary>
    public Span<double> KeyQpos => Doubles(MjModelLayout.key_qpos, NKey * Nq);

    /// <summary>Id of a named object, or -1.</summary>
    public int IdOf(MjObject type, string name) => MuJoCoNative.mj_name2id(Ptr, (int)type, name);

    /// <summary>Id of a named object; throws naming the object when it is absent.</summary>
    public int RequireId(MjObject type, string name)
    {
        int id = IdOf(type, name);
        if (id < 0)
        {
            throw new InvalidOperationException($"the compiled scene has no {type.ToString().ToLowerInvariant()} named '{name}'");
        }
        return id;
    }

    public void Dispose() => _handle.Dispose();

    private int ReadInt(int offset) => *(int*)(Ptr + offset);

    private Span<double> Doubles(int offset, int count) => new((void*)*(IntPtr*)(Ptr + offset), count);

    private Span<int> Ints(int offset, int count) => new((void*)*(IntPtr*)(Ptr + offset), count);

    internal static string ReadCString(byte* text)
    {
        int length = 0;
        while (text[length] != 0)
        {
            length++;
        }
        return Encoding.UTF8.GetString(text, length).Trim();
    }
}

/// <summary>MuJoCo object kinds used for name lookups (mjtObj).</summary>
public enum MjObject
{
    Body = MjEnums.mjOBJ_BODY,
    Joint = MjEnums.mjOBJ_JOINT,
    Geom = MjEnums.mjOBJ_GEOM,
    Site = MjEnums.mjOBJ_SITE,
    Camera = MjEnums.mjOBJ_CAMERA,
    Light = MjEnums.mjOBJ_LIGHT,
    Actuator = MjEnums.mjOBJ_ACTUATOR,
}

/// <summary>MuJoCo failed to compile or save a model; the message carries MuJoCo's explanation.</summary>
public sealed class SimModelLoadException(string message) : Exception(message);
