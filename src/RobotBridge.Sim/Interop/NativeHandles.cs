using System.Runtime.InteropServices;

namespace RobotBridge.Sim.Interop;

/// <summary>Owns one mjModel*; released with mj_deleteModel.</summary>
internal sealed class MjModelHandle : SafeHandle
{
    public MjModelHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public MjModelHandle(IntPtr model) : this() => SetHandle(model);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        MuJoCoNative.mj_deleteModel(handle);
        return true;
    }
}

/// <summary>Owns one mjData*; released with mj_deleteData.</summary>
internal sealed class MjDataHandle : SafeHandle
{
    public MjDataHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public MjDataHandle(IntPtr data) : this() => SetHandle(data);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        MuJoCoNative.mj_deleteData(handle);
        return true;
    }
}

/// <summary>Owns a zeroed block of native memory for a struct MuJoCo fills in (mjvScene, mjrContext…).
/// An optional release action frees what MuJoCo allocated inside the struct before the block itself.</summary>
internal sealed class NativeStructHandle : SafeHandle
{
    private readonly Action<IntPtr>? _releaseContents;

    public NativeStructHandle(int size, Action<IntPtr>? releaseContents = null) : base(IntPtr.Zero, ownsHandle: true)
    {
        _releaseContents = releaseContents;
        unsafe
        {
            SetHandle((IntPtr)NativeMemory.AllocZeroed((nuint)size));
        }
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        _releaseContents?.Invoke(handle);
        unsafe
        {
            NativeMemory.Free((void*)handle);
        }
        return true;
    }
}
