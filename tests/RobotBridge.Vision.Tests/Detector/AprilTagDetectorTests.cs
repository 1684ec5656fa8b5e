namespace RobotBridge.Vision.Tests.Detector;

public class AprilTagDetectorTests
{
    private const int Width = 640, Height = 480;

    /// <summary>A grey 640x480 image with tag <paramref name="id"/> drawn upright, <paramref name="pixelsPerCell"/>
    /// pixels a cell, its picture's top-left corner at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    private static byte[] ImageWithTag(int id, int pixelsPerCell, int left, int top)
    {
        var image = new byte[Width * Height];
        image.AsSpan().Fill(128);
        TagImage tag = TagImage.Render(TagFamily.Tag36h11, id);
        byte[] picture = tag.Scaled(pixelsPerCell, 0, out int side);
        for (int y = 0; y < side; y++)
        {
            picture.AsSpan(y * side, side).CopyTo(image.AsSpan((top + y) * Width + left, side));
        }
        return image;
    }

    [Fact]
    public void A_drawn_tag_is_found_with_its_id_and_the_pose_the_pinhole_geometry_gives()
    {
        // A fronto-parallel tag: 8 black cells of 12 px = 96 px. With f = 500 px and a 0.08 m black square
        // the tag stands at z = f * 0.08 / 96 = 0.4167 m, its centre (0.5 px pixel-centre convention aside)
        // offset from the principal point by the drawing's offset.
        const int ppc = 12, left = 400, top = 100;
        byte[] image = ImageWithTag(7, ppc, left, top);
        var camera = new CameraIntrinsics(500, 500, 320, 240, Width, Height);
        using var detector = new AprilTagDetector();
        var found = new List<TagDetection>();

        Assert.Equal(1, detector.Detect(image, Width, Height, Width, found, camera, tagSize: 0.08));

        TagDetection d = Assert.Single(found);
        Assert.Equal(7, d.Id);
        Assert.Equal(0, d.Hamming);
        double centreU = left + 5 * ppc, centreV = top + 5 * ppc;
        Assert.InRange(d.Center.X, centreU - 1, centreU + 1);
        Assert.InRange(d.Center.Y, centreV - 1, centreV + 1);
        var pose = d.Pose!.Value;
        double z = 500 * 0.08 / (8 * ppc);
        Assert.InRange(pose.Translation.Z, z * 0.99, z * 1.01);
        Assert.InRange(pose.Translation.X, (centreU - 320) * z / 500 - 0.003, (centreU - 320) * z / 500 + 0.003);
        Assert.InRange(pose.Translation.Y, (centreV - 240) * z / 500 - 0.003, (centreV - 240) * z / 500 + 0.003);
        // Upright and facing the camera: the tag's axes are the camera's (x right, y down, z away).
        Assert.InRange(pose.Rotation.M00, 0.999, 1.0);
        Assert.InRange(pose.Rotation.M11, 0.999, 1.0);
        Assert.InRange(pose.Rotation.M22, 0.999, 1.0);
    }

    [Fact]
    public void An_image_without_a_tag_gives_no_detection_and_the_list_is_cleared()
    {
        var blank = new byte[Width * Height];
        blank.AsSpan().Fill(128);
        using var detector = new AprilTagDetector();
        var found = new List<TagDetection> { default };

        Assert.Equal(0, detector.Detect(blank, Width, Height, Width, found));
        Assert.Empty(found);
    }

    [Fact]
    public void Each_drawn_id_decodes_as_itself()
    {
        using var detector = new AprilTagDetector(new AprilTagDetectorOptions { Decimate = 1 });
        var found = new List<TagDetection>();
        foreach (int id in new[] { 0, 1, 2, 100, 586 })
        {
            detector.Detect(ImageWithTag(id, 6, 50, 60), Width, Height, Width, found);
            Assert.Equal(id, Assert.Single(found).Id);
        }
    }

    [Fact]
    public void A_buffer_too_small_for_the_stated_image_is_refused_before_native_code_reads_it()
    {
        using var detector = new AprilTagDetector();
        var error = Assert.Throws<ArgumentException>(() => detector.Detect(new byte[100], Width, Height, Width, []));
        Assert.Contains("640x480", error.Message);
    }

    [Fact]
    public void Ids_outside_the_family_and_bad_options_are_refused_with_the_reason()
    {
        var id = Assert.Throws<ArgumentOutOfRangeException>(() => TagImage.Render(TagFamily.Tag36h11, 587));
        Assert.Contains("0 to 586", id.Message);
        var decimate = Assert.Throws<ArgumentException>(() => new AprilTagDetector(new AprilTagDetectorOptions { Decimate = 0 }));
        Assert.Contains("decimate", decimate.Message);
    }
}
