namespace RobotBridge.Vision;

/// <summary>Settings of an <see cref="AprilTagDetector"/>, named after apriltag_detector_t's fields and the
/// <c>apriltag</c> command's options; defaults are the library's.</summary>
public sealed record AprilTagDetectorOptions
{
    public TagFamily Family { get; init; } = TagFamily.Tag36h11;

    /// <summary>Worker threads (<c>-t</c>). One keeps the robot's other loops their cores.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Quad detection on an image decimated by this factor (<c>-x</c>); 1 finds the smallest tags,
    /// 2 (the library's default) is about 4× faster. Decoding and corners always use the full image.</summary>
    public float Decimate { get; init; } = 2.0f;

    /// <summary>Gaussian blur sigma before quad detection (<c>-b</c>); 0 = none.</summary>
    public float Blur { get; init; }

    /// <summary>Snap quad edges to strong gradients (<c>-0</c> turns it off).</summary>
    public bool RefineEdges { get; init; } = true;

    /// <summary>Bit errors corrected when decoding (<c>-m</c>); more costs memory and raises false positives.</summary>
    public int MaxHamming { get; init; } = 1;

    public void Validate()
    {
        if (!Enum.IsDefined(Family))
        {
            throw new ArgumentException($"tag family {Family} is not supported");
        }
        if (Threads is < 1 or > 64)
        {
            throw new ArgumentException($"detector threads {Threads} must be between 1 and 64");
        }
        if (!float.IsFinite(Decimate) || Decimate < 1 || Decimate > 8)
        {
            throw new ArgumentException($"detector decimate {Decimate} must be between 1 and 8");
        }
        if (!float.IsFinite(Blur) || Math.Abs(Blur) > 10)
        {
            throw new ArgumentException($"detector blur {Blur} must be between -10 and 10");
        }
        if (MaxHamming is < 0 or > 3)
        {
            throw new ArgumentException($"detector max hamming {MaxHamming} must be between 0 and 3");
        }
    }
}
