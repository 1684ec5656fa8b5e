using System.Runtime.InteropServices;

namespace RobotBridge.Vision.Interop;

/// <summary>
/// P/Invoke declarations for the parts of the AprilTag 3 C API the detector uses. Names and argument
/// order follow apriltag.h, apriltag_pose.h and tag36h11.h; structs are raw pointers whose fields are
/// read through the layouts in AprilTagLayout.g.cs. Debian's libapriltag exports only apriltag_*,
/// tag* and estimate_tag_pose, not matd_destroy or image_u8_destroy: what the library hands back
/// (pose matrices, apriltag_to_image's image) is released with libc's free, which those functions
/// call in 3.3.0. Call <see cref="AprilTagLibrary.EnsureLoaded"/> first.
/// </summary>
internal static unsafe partial class AprilTagNative
{
    public const string Library = "apriltag";
    public const string LibC = "c";

    [LibraryImport(Library)]
    public static partial IntPtr apriltag_detector_create();

    [LibraryImport(Library)]
    public static partial void apriltag_detector_destroy(IntPtr detector);

    [LibraryImport(Library)]
    public static partial void apriltag_detector_add_family_bits(IntPtr detector, IntPtr family, int bitsCorrected);

    [LibraryImport(Library)]
    public static partial IntPtr apriltag_detector_detect(IntPtr detector, IntPtr image);

    [LibraryImport(Library)]
    public static partial void apriltag_detections_destroy(IntPtr detections);

    [LibraryImport(Library)]
    public static partial IntPtr apriltag_to_image(IntPtr family, int index);

    [LibraryImport(Library)]
    public static partial double estimate_tag_pose(IntPtr info, IntPtr pose);

    [LibraryImport(Library)]
    public static partial IntPtr tag36h11_create();

    [LibraryImport(Library)]
    public static partial void tag36h11_destroy(IntPtr family);

    [LibraryImport(Library)]
    public static partial IntPtr tag25h9_create();

    [LibraryImport(Library)]
    public static partial void tag25h9_destroy(IntPtr family);

    [LibraryImport(Library)]
    public static partial IntPtr tag16h5_create();

    [LibraryImport(Library)]
    public static partial void tag16h5_destroy(IntPtr family);

    [LibraryImport(LibC)]
    public static partial void free(IntPtr pointer);
}
