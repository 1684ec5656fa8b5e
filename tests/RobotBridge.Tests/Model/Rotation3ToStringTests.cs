using RobotBridge.Model;

namespace RobotBridge.Tests.Model;

public class Rotation3ToStringTests
{
    [Fact]
    public void A_rotation_prints_its_rows_and_a_pose_holding_one_prints_too()
    {
        // The record's generated ToString printed Transposed, a Rotation3, recursively: a stack overflow.
        Assert.Equal("[[1, 0, 0], [0, 1, 0], [0, 0, 1]]", Rotation3.Identity.ToString());
        Assert.Contains("[[1, 0, 0]", new RigidTransform(Rotation3.Identity, Vec3.Zero).ToString());
    }
}
