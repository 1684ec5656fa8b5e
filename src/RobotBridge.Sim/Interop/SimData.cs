namespace RobotBridge.Sim.Interop;

/// <summary>
/// The mutable simulation state (mjData) of one <see cref="SimModel"/>. Spans alias native memory that
/// <c>mj_step</c> rewrites in place; they are valid until <see cref="Dispose"/>. Keeps its model alive.
/// Not thread-safe: one thread steps it at a time.
/// </summary>
public sealed unsafe class SimData : IDisposable
{
    private readonly MjDataHandle _handle;

    public SimData(SimModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        IntPtr data = MuJoCoNative.mj_makeData(model.Ptr);
        if (data == IntPtr.Zero)
        {
            throw new InsufficientMemoryException("MuJoCo could not allocate mjData for the model");
        }
        _handle = new MjDataHandle(data);
        Ptr = data;
    }

    public SimModel Model { get; }

    internal IntPtr Ptr { get; }

    public double Time
    {
        get => *(double*)(Ptr + MjDataLayout.time);
        set => *(double*)(Ptr + MjDataLayout.time) = value;
    }

    public int NCon => *(int*)(Ptr + MjDataLayout.ncon);

    /// <summary>(nq) generalised positions.</summary>
    public Span<double> Qpos => Doubles(MjDataLayout.qpos, Model.Nq);
    /// <summary>(nv) generalised velocities.</summary>
    public Span<double> Qvel => Doubles(MjDataLayout.qvel, Model.Nv);
    /// <summary>(nv) accelerations.</summary>
    public Span<double> Qacc => Doubles(MjDataLayout.qacc, Model.Nv);
    /// <summary>(nv) warm-start accelerations of the constraint solver (part of the exact state).</summary>
    public Span<double> QaccWarmstart => Doubles(MjDataLayout.qacc_warmstart, Model.Nv);
    /// <summary>(nu) actuator controls.</summary>
    public Span<double> Ctrl => Doubles(MjDataLayout.ctrl, Model.Nu);
    /// <summary>(nv) applied generalised forces.</summary>
    public Span<double> QfrcApplied => Doubles(MjDataLayout.qfrc_applied, Model.Nv);
    /// <summary>(nbody x 6) applied Cartesian wrenches.</summary>
    public Span<double> XfrcApplied => Doubles(MjDataLayout.xfrc_applied, Model.NBody * 6);
    /// <summary>(nv) Coriolis, centrifugal and gravity forces (computed by mj_step1/mj_forward).</summary>
    public Span<double> QfrcBias => Doubles(MjDataLayout.qfrc_bias, Model.Nv);
    /// <summary>(nv) actuator forces in joint space.</summary>
    public Span<double> QfrcActuator => Doubles(MjDataLayout.qfrc_actuator, Model.Nv);
    /// <summary>(nv) constraint forces (contacts, limits).</summary>
    public Span<double> QfrcConstraint => Doubles(MjDataLayout.qfrc_constraint, Model.Nv);
    /// <summary>(nbody x 3) body frame positions, world.</summary>
    public Span<double> Xpos => Doubles(MjDataLayout.xpos, Model.NBody * 3);
    /// <summary>(nbody x 4) body orientations (w, x, y, z), world.</summary>
    public Span<double> Xquat => Doubles(MjDataLayout.xquat, Model.NBody * 4);
    /// <summary>(nbody x 9) body rotation matrices, row-major, world.</summary>
    public Span<double> Xmat => Doubles(MjDataLayout.xmat, Model.NBody * 9);
    /// <summary>(ncam x 3) camera positions, world.</summary>
    public Span<double> CamXpos => Doubles(MjDataLayout.cam_xpos, Model.NCam * 3);
    /// <summary>(ncam x 9) camera rotation matrices, world.</summary>
    public Span<double> CamXmat => Doubles(MjDataLayout.cam_xmat, Model.NCam * 9);

    /// <summary>How many times MuJoCo raised warning <paramref name="warning"/> (mjtWarning index).</summary>
    public int WarningCount(int warning)
    {
        if ((uint)warning >= MjWarningLayout.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(warning), warning, "not an mjtWarning index");
        }
        return *(int*)(Ptr + MjDataLayout.warning + warning * MjWarningLayout.Size + MjWarningLayout.number);
    }

    /// <summary>Clears every warning counter.</summary>
    public void ClearWarnings()
    {
        for (int w = 0; w < MjWarningLayout.Count; w++)
        {
            *(int*)(Ptr + MjDataLayout.warning + w * MjWarningLayout.Size + MjWarningLayout.number) = 0;
            *(int*)(Ptr + MjDataLayout.warning + w * MjWarningLayout.Size + MjWarningLayout.lastinfo) = 0;
        }
    }

    public void Step() => MuJoCoNative.mj_step(Model.Ptr, Ptr);

    /// <summary>First half of a step: positions and velocities are processed, forces are not yet
    /// applied. Set controls between <see cref="Step1"/> and <see cref="Step2"/>.</summary>
    public void Step1() => MuJoCoNative.mj_step1(Model.Ptr, Ptr);

    public void Step2() => MuJoCoNative.mj_step2(Model.Ptr, Ptr);

    public void Forward() => MuJoCoNative.mj_forward(Model.Ptr, Ptr);

    public void Reset() => MuJoCoNative.mj_resetData(Model.Ptr, Ptr);

    /// <summary>Resets to keyframe <paramref name="key"/> (positions, velocities, controls, time).</summary>
    public void ResetToKeyframe(int key)
    {
        if ((uint)key >= (uint)Model.NKey)
        {
            throw new ArgumentOutOfRangeException(nameof(key), key, $"the model has {Model.NKey} keyframes");
        }
        MuJoCoNative.mj_resetDataKeyframe(Model.Ptr, Ptr, key);
    }

    /// <summary>Recomputes the model constants that depend on masses and qpos0 (after randomisation).</summary>
    public void SetConst() => MuJoCoNative.mj_setConst(Model.Ptr, Ptr);

    /// <summary>Translational (3 x nv) and rotational (3 x nv) world Jacobians of a body's frame.</summary>
    public void JacobianOfBody(int body, Span<double> jacp, Span<double> jacr)
    {
        int n = 3 * Model.Nv;
        if (jacp.Length < n || jacr.Length < n)
        {
            throw new ArgumentException($"Jacobian buffers need {n} elements each");
        }
        fixed (double* p = jacp)
        fixed (double* r = jacr)
        {
            MuJoCoNative.mj_jacBody(Model.Ptr, Ptr, p, r, body);
        }
    }

    public void Dispose() => _handle.Dispose();

    private Span<double> Doubles(int offset, int count) => new((void*)*(IntPtr*)(Ptr + offset), count);
}
