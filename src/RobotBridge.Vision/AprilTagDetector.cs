using System.Runtime.InteropServices;
using RobotBridge.Model;
using RobotBridge.Vision.Interop;

namespace RobotBridge.Vision;

/// <summary>
/// Finds AprilTags in 8-bit grayscale images with Debian's libapriltag (3.3.0) and, when given the camera's
/// intrinsics and the tag's size, estimates each tag's pose with the library's estimate_tag_pose. Owns
/// the native detector and family (released on Dispose) and one image header; the pixels are the
/// caller's, read in place. Not thread-safe: one detector per thread.
/// </summary>
public sealed unsafe class AprilTagDetector : IDisposable
{
    private readonly FamilyHandle _family;
    private readonly DetectorHandle _detector;
    private readonly IntPtr _image;
    private readonly IntPtr _info;
    private readonly IntPtr _pose;
    private bool _disposed;

    public AprilTagDetector(AprilTagDetectorOptions? options = null)
    {
        Options = options ?? new AprilTagDetectorOptions();
        Options.Validate();
        AprilTagLibrary.EnsureLoaded();
        _family = new FamilyHandle(Options.Family);
        try
        {
            _detector = new DetectorHandle();
            byte* d = (byte*)_detector.DangerousGetHandle();
            *(int*)(d + DetectorLayout.nthreads) = Options.Threads;
            *(float*)(d + DetectorLayout.quad_decimate) = Options.Decimate;
            *(float*)(d + DetectorLayout.quad_sigma) = Options.Blur;
            *(byte*)(d + DetectorLayout.refine_edges) = Options.RefineEdges ? (byte)1 : (byte)0;
            AprilTagNative.apriltag_detector_add_family_bits(_detector.DangerousGetHandle(), _family.DangerousGetHandle(), Options.MaxHamming);
            _image = (IntPtr)NativeMemory.AllocZeroed(ImageU8Layout.Size);
            _info = (IntPtr)NativeMemory.AllocZeroed(DetectionInfoLayout.Size);
            _pose = (IntPtr)NativeMemory.AllocZeroed(PoseLayout.Size);
        }
        catch
        {
            _detector?.Dispose();
            _family.Dispose();
            throw;
        }
    }

    public AprilTagDetectorOptions Options { get; }

    /// <summary>
    /// Detects tags in <paramref name="gray"/> (row-major, <paramref name="stride"/> bytes a row) and appends
    /// them to <paramref name="detections"/> (cleared first); returns how many. With
    /// <paramref name="intrinsics"/> and a positive <paramref name="tagSize"/> (the black square's edge, m)
    /// each detection carries its pose in the camera's optical frame.
    /// </summary>
    public int Detect(ReadOnlySpan<byte> gray, int width, int height, int stride, List<TagDetection> detections,
        CameraIntrinsics? intrinsics = null, double tagSize = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(detections);
        if (width <= 0 || height <= 0 || stride < width || gray.Length < (long)stride * (height - 1) + width)
        {
            throw new ArgumentException($"a {width}x{height} image with stride {stride} does not fit in {gray.Length} bytes", nameof(gray));
        }
        bool wantPose = intrinsics is not null && tagSize > 0 && double.IsFinite(tagSize);
        CameraIntrinsics? camera = wantPose ? intrinsics!.ScaledTo(width, height) : null;
        detections.Clear();
        byte* image = (byte*)_image;
        *(int*)(image + ImageU8Layout.width) = width;
        *(int*)(image + ImageU8Layout.height) = height;
        *(int*)(image + ImageU8Layout.stride) = stride;
        bool added = false;
        _detector.DangerousAddRef(ref added);
        try
        {
            fixed (byte* pixels = gray)
            {
                *(byte**)(image + ImageU8Layout.buf) = pixels;
                IntPtr found = AprilTagNative.apriltag_detector_detect(_detector.DangerousGetHandle(), _image);
                *(byte**)(image + ImageU8Layout.buf) = null;
                if (found == IntPtr.Zero)
                {
                    throw new InvalidOperationException("apriltag_detector_detect returned no result (out of memory?)");
                }
                try
                {
                    Read(found, detections, camera, tagSize);
                }
                finally
                {
                    AprilTagNative.apriltag_detections_destroy(found);
                }
            }
        }
        finally
        {
            if (added)
            {
                _detector.DangerousRelease();
            }
        }
        return detections.Count;
    }

    private void Read(IntPtr found, List<TagDetection> detections, CameraIntrinsics? camera, double tagSize)
    {
        byte* array = (byte*)found;
        int count = *(int*)(array + ZArrayLayout.size);
        IntPtr* items = *(IntPtr**)(array + ZArrayLayout.data);
        for (int i = 0; i < count; i++)
        {
            byte* det = (byte*)items[i];
            double* c = (double*)(det + DetectionLayout.c);
            double* p = (double*)(det + DetectionLayout.p);
            RigidTransform? pose = null;
            double error = double.NaN;
            if (camera is not null)
            {
                (pose, error) = EstimatePose((IntPtr)det, camera, tagSize);
            }
            detections.Add(new TagDetection(
                *(int*)(det + DetectionLayout.id),
                *(int*)(det + DetectionLayout.hamming),
                *(float*)(det + DetectionLayout.decision_margin),
                new PixelPoint(c[0], c[1]),
                new PixelPoint(p[0], p[1]), new PixelPoint(p[2], p[3]), new PixelPoint(p[4], p[5]), new PixelPoint(p[6], p[7]),
                pose, error));
        }
    }

    private (RigidTransform Pose, double Error) EstimatePose(IntPtr detection, CameraIntrinsics camera, double tagSize)
    {
        byte* info = (byte*)_info;
        *(IntPtr*)(info + DetectionInfoLayout.det) = detection;
        *(double*)(info + DetectionInfoLayout.tagsize) = tagSize;
        *(double*)(info + DetectionInfoLayout.fx) = camera.Fx;
        *(double*)(info + DetectionInfoLayout.fy) = camera.Fy;
        *(double*)(info + DetectionInfoLayout.cx) = camera.Cx;
        *(double*)(info + DetectionInfoLayout.cy) = camera.Cy;
        byte* pose = (byte*)_pose;
        *(IntPtr*)(pose + PoseLayout.R) = IntPtr.Zero;
        *(IntPtr*)(pose + PoseLayout.t) = IntPtr.Zero;
        double error = AprilTagNative.estimate_tag_pose(_info, _pose);
        *(IntPtr*)(info + DetectionInfoLayout.det) = IntPtr.Zero;
        using var r = new MallocHandle(*(IntPtr*)(pose + PoseLayout.R));
        using var t = new MallocHandle(*(IntPtr*)(pose + PoseLayout.t));
        double* m = Matrix(r, 3, 3, "R");
        double* v = Matrix(t, 3, 1, "t");
        var rotation = new Rotation3(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
        return (new RigidTransform(rotation, new Vec3(v[0], v[1], v[2])), error);
    }

    private static double* Matrix(MallocHandle handle, int rows, int columns, string name)
    {
        byte* matrix = (byte*)handle.DangerousGetHandle();
        if (matrix == null || *(uint*)(matrix + MatdLayout.nrows) != rows || *(uint*)(matrix + MatdLayout.ncols) != columns)
        {
            throw new InvalidOperationException($"estimate_tag_pose returned no {rows}x{columns} {name} matrix");
        }
        return (double*)(matrix + MatdLayout.data);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _detector.Dispose();
        _family.Dispose();
        NativeMemory.Free((void*)_image);
        NativeMemory.Free((void*)_info);
        NativeMemory.Free((void*)_pose);
    }
}
