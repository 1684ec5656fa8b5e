namespace RobotBridge.Vision;

/// <summary>
/// A pinhole camera's intrinsics in pixels for images of <see cref="Width"/> x <see cref="Height"/>
/// (sensor_msgs/CameraInfo's K: fx, fy, cx, cy). The Fetch's head camera is rectified by its driver, so
/// the detector assumes no distortion.
/// </summary>
public sealed record CameraIntrinsics(double Fx, double Fy, double Cx, double Cy, int Width, int Height)
{
    /// <summary>The twin's head camera (and fetch_gazebo's): 640x480 with a 1.047197 rad horizontal
    /// field of view, square pixels, principal point at the image centre.</summary>
    public static CameraIntrinsics FetchTwin { get; } = FromHorizontalFov(1.047197, 640, 480);

    public static CameraIntrinsics FromHorizontalFov(double horizontalFov, int width, int height)
    {
        double f = width / 2.0 / Math.Tan(horizontalFov / 2.0);
        return new CameraIntrinsics(f, f, width / 2.0, height / 2.0, width, height);
    }

    /// <summary>The same camera at another resolution (a downscaled stream): focal lengths and principal
    /// point scale with the image.</summary>
    public CameraIntrinsics ScaledTo(int width, int height)
    {
        if (width == Width && height == Height)
        {
            return this;
        }
        double sx = (double)width / Width, sy = (double)height / Height;
        return new CameraIntrinsics(Fx * sx, Fy * sy, Cx * sx, Cy * sy, width, height);
    }

    public void Validate()
    {
        if (!(double.IsFinite(Fx) && Fx > 0 && double.IsFinite(Fy) && Fy > 0))
        {
            throw new ArgumentException($"camera focal lengths fx={Fx}, fy={Fy} must be positive pixels");
        }
        if (!(double.IsFinite(Cx) && double.IsFinite(Cy)) || Width <= 0 || Height <= 0)
        {
            throw new ArgumentException($"camera principal point ({Cx}, {Cy}) and size {Width}x{Height} must be finite and positive");
        }
    }
}
