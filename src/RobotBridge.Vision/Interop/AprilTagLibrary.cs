using System.Runtime.InteropServices;

namespace RobotBridge.Vision.Interop;

/// <summary>
/// Loads Debian's AprilTag 3 library once per process and checks that it is laid out as the interop
/// expects, failing with an error that names the package that installs it. The library exports no
/// version number, so the check is its soname (ABI 3) plus what a 3.3.0 build must report: a fresh
/// detector's defaults read through <see cref="DetectorLayout"/> and tag36h11's geometry read through
/// <see cref="FamilyLayout"/>. A library whose structs moved fails here, not with garbage poses.
/// </summary>
public static class AprilTagLibrary
{
    /// <summary>The soname Debian's libapriltag3 package installs.</summary>
    public const string SharedObjectName = "libapriltag.so.3";

    /// <summary>The release the checked-in layout (AprilTagLayout.g.cs) was generated against.</summary>
    public const string PinnedVersion = "3.3.0";

    public const string InstallCommand = "sudo apt-get install -y libapriltag3 (and libapriltag-dev plus apriltag for the layout test and the bench)";

    private static readonly Lazy<IntPtr> Handle = new(LoadAndCheck, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads and checks the library; throws <see cref="AprilTagUnavailableException"/> when it
    /// cannot be used. Safe to call from any thread, any number of times.</summary>
    public static void EnsureLoaded() => _ = Handle.Value;

    private static IntPtr LoadAndCheck()
    {
        if (!NativeLibrary.TryLoad(SharedObjectName, out IntPtr handle) &&
            !NativeLibrary.TryLoad("/usr/lib/x86_64-linux-gnu/" + SharedObjectName, out handle))
        {
            throw new AprilTagUnavailableException(
                $"AprilTag native library '{SharedObjectName}' was not found. Install it with: {InstallCommand}");
        }
        IntPtr libc = NativeLibrary.Load("libc.so.6");
        NativeLibrary.SetDllImportResolver(typeof(AprilTagLibrary).Assembly, (name, _, _) => name switch
        {
            AprilTagNative.Library => handle,
            AprilTagNative.LibC => libc,
            _ => IntPtr.Zero,
        });
        CheckLayout();
        return handle;
    }

    private static unsafe void CheckLayout()
    {
        IntPtr detector = AprilTagNative.apriltag_detector_create();
        IntPtr family = AprilTagNative.tag36h11_create();
        try
        {
            byte* d = (byte*)detector;
            byte* f = (byte*)family;
            var problems = new List<string>();
            Expect(problems, "detector nthreads", *(int*)(d + DetectorLayout.nthreads), 1);
            Expect(problems, "detector quad_decimate", *(float*)(d + DetectorLayout.quad_decimate), 2.0f);
            Expect(problems, "detector decode_sharpening", *(double*)(d + DetectorLayout.decode_sharpening), 0.25);
            Expect(problems, "detector qtp.min_cluster_pixels", *(int*)(d + DetectorLayout.qtp_min_cluster_pixels), 5);
            Expect(problems, "detector qtp.max_line_fit_mse", *(float*)(d + DetectorLayout.qtp_max_line_fit_mse), 10.0f);
            Expect(problems, "tag36h11 ncodes", *(uint*)(f + FamilyLayout.ncodes), 587u);
            Expect(problems, "tag36h11 nbits", *(uint*)(f + FamilyLayout.nbits), 36u);
            Expect(problems, "tag36h11 h", *(uint*)(f + FamilyLayout.h), 11u);
            Expect(problems, "tag36h11 total_width", *(int*)(f + FamilyLayout.total_width), 10);
            Expect(problems, "tag36h11 width_at_border", *(int*)(f + FamilyLayout.width_at_border), 8);
            string? name = Marshal.PtrToStringUTF8(*(IntPtr*)(f + FamilyLayout.name));
            if (name != "tag36h11")
            {
                problems.Add($"tag36h11 name reads \"{name}\"");
            }
            if (problems.Count > 0)
            {
                throw new AprilTagUnavailableException(
                    $"the AprilTag library '{SharedObjectName}' is not laid out like AprilTag {PinnedVersion} " +
                    $"({string.Join("; ", problems)}). Install the pinned version with: {InstallCommand}");
            }
        }
        finally
        {
            AprilTagNative.tag36h11_destroy(family);
            AprilTagNative.apriltag_detector_destroy(detector);
        }
    }

    private static void Expect<T>(List<string> problems, string what, T actual, T expected) where T : IEquatable<T>
    {
        if (!actual.Equals(expected))
        {
            problems.Add($"{what} is {actual}, expected {expected}");
        }
    }
}

/// <summary>The native AprilTag library is missing or not the version the interop is laid out for.</summary>
public sealed class AprilTagUnavailableException(string message) : Exception(message);
