using RobotBridge.Vision.Tracking;

namespace RobotBridge.Vision.Tests.Tracking;

/// <summary>The tag config with several tags per object, and bad input refused with one line naming the
/// file and the field.</summary>
public class CameraTrackerConfigTests
{
    [Fact]
    public void An_object_with_several_tags_parses_each_with_its_own_id_and_place()
    {
        CameraTrackerConfig config = CameraTrackerConfig.Parse("""
            { "objects": [
                { "object": "box", "size": 0.03, "tags": [
                    { "id": 7, "xyz": [0, 0, 0.02], "rpy": [3.14159, 0, 0] },
                    { "id": 9, "xyz": [0.02, 0, 0], "rpy": [-1.5708, 0, 1.5708] } ] },
                { "object": "puck", "id": 1, "size": 0.028, "xyz": [0, 0, 0.02] } ] }
            """, "two.json");

        TaggedObject box = config.For("box");
        Assert.Equal([7, 9], box.AllTags.Select(t => t.Id));
        Assert.Equal([0.02, 0, 0], box.AllTags[1].Xyz);
        Assert.Equal(0.03, box.Size);
        // The one-tag form still reads as one tag.
        Assert.Equal([1], config.For("puck").AllTags.Select(t => t.Id));
        Assert.Equal([0.0, 0, 0], config.For("puck").AllTags[0].Rpy);
    }

    public static TheoryData<string, string> BadConfigs() => new()
    {
        { """{ "objects": [ { "object": "cube", "size": 0.04, "tags": [ { "id": 0 }, { "id": 2, "rpy": [1, 2] } ] } ] }""", "objects[0] (\"cube\").tags[1].rpy must be 3 finite numbers" },
        { """{ "objects": [ { "object": "cube", "size": 0.04, "tags": [ { "id": -3 } ] } ] }""", "objects[0] (\"cube\").tags[0].id -3 must not be negative" },
        { """{ "objects": [ { "object": "cube", "size": 0.04, "tags": [] } ] }""", "objects[0] (\"cube\").tags lists no tag" },
        { """{ "objects": [ { "object": "cube", "size": 0.04, "id": 0, "tags": [ { "id": 2 } ] } ] }""", "gives both \"tags\" and a single tag's id/xyz/rpy" },
        { """{ "objects": [ { "object": "cube", "size": 0.04 } ] }""", "objects[0] (\"cube\") has neither \"id\" (one tag) nor \"tags\" (several)" },
        { """{ "objects": [ { "object": "cube", "size": 0.04, "tags": [ { "id": 0 }, { "id": 1 } ] }, { "object": "puck", "id": 1, "size": 0.028 } ] }""", "tag id 1 is used more than once (cube, puck)" },
        { """{ "objects": [ { "object": "cube", "size": 0, "tags": [ { "id": 0 } ] } ] }""", "objects[0] (\"cube\").size 0 m must be in (0, 1]" },
        { """{ "objects": [ { "object": "cube", "size": 0.04, "tags": [ { "id": "top" } ] } ] }""", "$.objects[0].tags[0].id" },
        { """{ "objects": [ { "object": "cube", "size": 0.04, "tags": [ { "id": 0, "face": "top" } ] } ] }""", "face" },
        { """{ "max_pose_error": 0, "objects": [ { "object": "cube", "id": 0, "size": 0.04 } ] }""", "max_pose_error 0 must be positive" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Bad_input_is_refused_with_one_line_naming_the_file_and_the_field(string json, string expected)
    {
        var error = Assert.Throws<CameraTrackerConfigException>(() => CameraTrackerConfig.Parse(json, "bad-tags.json"));

        Assert.StartsWith("tag config bad-tags.json: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
