using RobotBridge.Model;

namespace RobotBridge.Vision;

/// <summary>A position in an image, in pixels (x right, y down), as the library reports corners and centres.</summary>
public readonly record struct PixelPoint(double X, double Y);

/// <summary>
/// One decoded tag. <see cref="Corners"/> run counter-clockwise around the tag as seen in the image,
/// starting bottom-left of the tag's upright picture (apriltag.h's p[4]). <see cref="Pose"/> is the tag's
/// pose in the camera's optical frame (x right, y down, z forward) when it was asked for: the tag frame
/// has its origin at the tag's centre, x to the tag's right, y down the tag and z into it (away from
/// the camera for a tag facing it), apriltag_pose.h's convention.
/// </summary>
public readonly record struct TagDetection(
    int Id,
    int Hamming,
    float DecisionMargin,
    PixelPoint Center,
    PixelPoint Corner0,
    PixelPoint Corner1,
    PixelPoint Corner2,
    PixelPoint Corner3,
    RigidTransform? Pose,
    double PoseError);
