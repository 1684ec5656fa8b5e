using System.Text.Json;
using RobotBridge.Recording.Bag;
using RobotBridge.Recording.Messages;

namespace RobotBridge.Tests.Recording;

[Trait("Category", "Peer")]  // runs a ROS/urdfdom tool: not in the fast lane
public sealed class BagWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("robotbridge-bag-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly RosTime Start = new(1_764_000_000, 0);

    /// <summary>Writes <paramref name="count"/> strings and count/2 float arrays, 10 ms apart.</summary>
    private string WriteSampleBag(int count, int chunkThreshold = BagFormat.DefaultChunkThreshold, bool close = true)
    {
        string path = Path.Combine(_directory, $"sample-{count}-{chunkThreshold}.bag");
        var writer = BagWriter.Create(path, chunkThreshold);
        int text = writer.AddConnection("/chatter", RosMessageTypes.String);
        int vector = writer.AddConnection("/vector", RosMessageTypes.Float64MultiArray);
        var buffer = new RosMessageBuffer();
        for (int i = 0; i < count; i++)
        {
            RosTime t = Start.Add(TimeSpan.FromMilliseconds(10 * i));
            buffer.Clear();
            RosMessages.WriteString(buffer, $"message {i}");
            writer.Write(text, t, buffer.WrittenSpan);
            if (i % 2 == 0)
            {
                buffer.Clear();
                RosMessages.WriteFloat64MultiArray(buffer, "v", [i, i * 0.5, -i]);
                writer.Write(vector, t, buffer.WrittenSpan);
            }
        }
        if (close)
        {
            writer.Dispose();
        }
        else
        {
            writer.Flush(); // as after a crash: chunks on disk, no index
        }
        return path;
    }

    [Fact]
    public void Rosbag_info_reports_the_topics_types_and_counts_written()
    {
        string path = WriteSampleBag(40, chunkThreshold: 512);

        var info = RosTool.Run("rosbag", ["info", "--yaml", path]).EnsureSuccess("rosbag info");

        Assert.Contains("messages: 60", info.Stdout);
        Assert.Contains("compression: none", info.Stdout);
        Assert.Matches(@"topic: /chatter\s+type: std_msgs/String\s+messages: 40", info.Stdout);
        Assert.Matches(@"topic: /vector\s+type: std_msgs/Float64MultiArray\s+messages: 20", info.Stdout);
        Assert.Contains("indexed: True", info.Stdout);
        Assert.Matches(@"duration: 0\.39", info.Stdout);
    }

    [Fact]
    public void Python_rosbag_reads_back_every_message_with_its_time_and_content()
    {
        string path = WriteSampleBag(9, chunkThreshold: 200);
        const string script = """
            import sys, json, rosbag
            out = []
            with rosbag.Bag(sys.argv[1]) as bag:
                for topic, msg, t in bag.read_messages():
                    value = msg.data if topic == '/chatter' else list(msg.data)
                    out.append([topic, t.secs, t.nsecs, value])
                out.append(bag.get_message_count())
                out.append(len(bag._chunks))
            print(json.dumps(out))
            """;
        var result = RosTool.PythonScript(script, path).EnsureSuccess("python rosbag read");
        var rows = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();

        Assert.Equal(14, rows[^2].GetInt32());
        Assert.True(rows[^1].GetInt32() > 1, "the small threshold should have produced several chunks");
        var first = rows[0];
        Assert.Equal("/chatter", first[0].GetString());
        Assert.Equal(1_764_000_000, first[1].GetInt64());
        Assert.Equal("message 0", first[3].GetString());
        var vectorAt8 = rows.Take(14).Single(r => r[0].GetString() == "/vector" && r[2].GetInt64() == 80_000_000);
        Assert.Equal([8.0, 4.0, -8.0], vectorAt8[3].EnumerateArray().Select(v => v.GetDouble()));
    }

    [Fact]
    public void Own_reader_round_trips_connections_and_messages()
    {
        string path = WriteSampleBag(25, chunkThreshold: 300);
        using var reader = BagReader.Open(path);

        Assert.True(reader.IndexPosition > 0);
        Assert.Equal(2, reader.Connections.Count);
        var chatter = reader.FindConnection("/chatter")!;
        Assert.Equal(RosMessageTypes.String.Md5Sum, chatter.Md5Sum);
        Assert.Equal(RosMessageTypes.String.Definition, chatter.MessageDefinition);

        var texts = reader.ReadMessages(new HashSet<string> { "/chatter" })
            .Select(m => RosMessages.ReadString(m.Data.Span)).ToList();
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"message {i}"), texts);
        var vectors = reader.ReadMessages(new HashSet<string> { "/vector" }).ToList();
        Assert.Equal(13, vectors.Count);
        Assert.Equal([24.0, 12.0, -24.0], RosMessages.ReadFloat64MultiArray(vectors[^1].Data.Span, out string label));
        Assert.Equal("v", label);
        Assert.Equal(Start.Add(TimeSpan.FromMilliseconds(240)), vectors[^1].Time);
    }

    [Fact]
    public void A_bag_that_was_never_closed_is_readable_by_us_and_reindexable_by_rosbag()
    {
        string path = WriteSampleBag(12, close: false);

        using (var reader = BagReader.Open(path))
        {
            Assert.Equal(0, reader.IndexPosition);
            Assert.Equal(12, reader.ReadMessages(new HashSet<string> { "/chatter" }).Count());
        }
        RosTool.Run("rosbag", ["reindex", "--output-dir", _directory, path]).EnsureSuccess("rosbag reindex");
        var info = RosTool.Run("rosbag", ["info", "--yaml", path]).EnsureSuccess("rosbag info after reindex");
        Assert.Contains("messages: 18", info.Stdout);
    }

    [Fact]
    public void Reader_refuses_a_file_that_is_not_a_bag_and_a_truncated_bag_with_the_offset()
    {
        string notBag = Path.Combine(_directory, "not.bag");
        File.WriteAllText(notBag, "hello");
        var error = Assert.Throws<BagFormatException>(() => BagReader.Open(notBag));
        Assert.Contains("#ROSBAG V2.0", error.Message);

        string path = WriteSampleBag(30);
        byte[] bytes = File.ReadAllBytes(path);
        string truncated = Path.Combine(_directory, "truncated.bag");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 50)]);
        var cut = Assert.Throws<BagFormatException>(() => BagReader.Open(truncated));
        Assert.Contains("byte", cut.Message);
    }

    [Fact]
    public void Writer_rejects_bad_topics_duplicate_topics_and_unknown_connections()
    {
        using var writer = new BagWriter(new MemoryStream());
        Assert.Throws<ArgumentException>(() => writer.AddConnection("relative/topic", RosMessageTypes.String));
        Assert.Throws<ArgumentException>(() => writer.AddConnection("/bad topic", RosMessageTypes.String));
        writer.AddConnection("/ok", RosMessageTypes.String);
        var duplicate = Assert.Throws<ArgumentException>(() => writer.AddConnection("/ok", RosMessageTypes.Float64));
        Assert.Contains("/ok", duplicate.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(5, Start, [1, 2, 3]));
    }
}
