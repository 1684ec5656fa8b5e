namespace RobotBridge.Vision.Interop;

/// <summary>Owns one apriltag_detector_t*; released with apriltag_detector_destroy (which also stops
/// its worker pool). The families added to it are owned separately and must outlive it.</summary>
internal sealed class DetectorHandle : System.Runtime.InteropServices.SafeHandle
{
    public DetectorHandle() : base(IntPtr.Zero, ownsHandle: true) => SetHandle(AprilTagNative.apriltag_detector_create());

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        AprilTagNative.apriltag_detector_destroy(handle);
        return true;
    }
}

/// <summary>Owns one apriltag_family_t*; released with the family's own destroy function.</summary>
internal sealed class FamilyHandle : System.Runtime.InteropServices.SafeHandle
{
    private readonly TagFamily _family;

    public FamilyHandle(TagFamily family) : base(IntPtr.Zero, ownsHandle: true)
    {
        _family = family;
        SetHandle(family switch
        {
            TagFamily.Tag36h11 => AprilTagNative.tag36h11_create(),
            TagFamily.Tag25h9 => AprilTagNative.tag25h9_create(),
            TagFamily.Tag16h5 => AprilTagNative.tag16h5_create(),
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "unsupported tag family"),
        });
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        switch (_family)
        {
            case TagFamily.Tag36h11: AprilTagNative.tag36h11_destroy(handle); break;
            case TagFamily.Tag25h9: AprilTagNative.tag25h9_destroy(handle); break;
            case TagFamily.Tag16h5: AprilTagNative.tag16h5_destroy(handle); break;
        }
        return true;
    }
}

/// <summary>Owns one block of native memory the library allocated with malloc (a pose matrix);
/// released with libc free, as matd_destroy does.</summary>
internal sealed class MallocHandle : System.Runtime.InteropServices.SafeHandle
{
    public MallocHandle(IntPtr pointer) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        AprilTagNative.free(handle);
        return true;
    }
}
