using System.Text.Json;
using RobotBridge.Recording;
using RobotBridge.Recording.Bag;
using RobotBridge.Recording.Messages;
using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Tests.Recording;

[Trait("Category", "Peer")]  // runs a ROS/urdfdom tool: not in the fast lane
public sealed class EpisodeRecorderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("robotbridge-episode-").FullName;
    private static readonly DateTimeOffset Origin = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(40);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A 10-step episode with an e-stop at step 6; camera frames every 2nd step.</summary>
    private string RecordEpisode()
    {
        string path = Path.Combine(_directory, "episode.bag");
        using var recorder = EpisodeRecorder.Create(path, Origin);
        var state = new RobotState();
        recorder.BeginEpisode(TimeSpan.Zero, new EpisodeInfo(EpisodeSource.Deploy, "FetchReach", 0, 7, "twin", Period));
        for (int step = 0; step < 10; step++)
        {
            TimeSpan t = step * Period;
            state.Stamp = t;
            state.Position[FetchJoints.IndexOf(FetchJoints.ShoulderPan)] = 0.01 * step;
            recorder.RecordJointState(state);
            recorder.RecordObservation(t, [step, 2.0 * step, 3.0]);
            recorder.RecordGoals(t, [0.1 * step, 0, 0], [0.5, 0.5, 0.5]);
            recorder.RecordAction(t, [0.1, -0.1, 0.0, 0.0]);
            recorder.RecordReward(t, -1.0 + 0.1 * step);
            recorder.RecordTiming(new StepTiming(t, t + TimeSpan.FromMilliseconds(1), t + TimeSpan.FromMilliseconds(3)));
            if (step % 2 == 0)
            {
                using var frame = new CameraFrame(4, 3, t, withDepth: true);
                frame.Rgb.Fill((byte)step);
                frame.Depth.Fill(1.5f);
                recorder.RecordCameraFrame(frame);
            }
            if (step == 6)
            {
                recorder.RecordSafetyEvent(t, RosMessages.DiagnosticLevel.Error, "estop", "operator e-stop over MQTT",
                    [new("source", "mqtt")]);
            }
        }
        recorder.EndEpisode(10 * Period, terminated: false, truncated: true, reason: "estop");
        return path;
    }

    [Fact]
    public void Rosbag_info_shows_every_episode_topic_with_its_count()
    {
        string path = RecordEpisode();

        var info = RosTool.Run("rosbag", ["info", "--yaml", path]).EnsureSuccess("rosbag info").Stdout;

        void HasTopic(string topic, string type, int count) =>
            Assert.Matches($@"topic: {topic}\s+type: {type}\s+messages: {count}\b", info);
        HasTopic(EpisodeTopics.Events, "std_msgs/String", 2);
        HasTopic(EpisodeTopics.JointStates, "sensor_msgs/JointState", 10);
        HasTopic(EpisodeTopics.Observation, "std_msgs/Float64MultiArray", 10);
        HasTopic(EpisodeTopics.AchievedGoal, "std_msgs/Float64MultiArray", 10);
        HasTopic(EpisodeTopics.DesiredGoal, "std_msgs/Float64MultiArray", 10);
        HasTopic(EpisodeTopics.Action, "std_msgs/Float64MultiArray", 10);
        HasTopic(EpisodeTopics.Reward, "std_msgs/Float64", 10);
        HasTopic(EpisodeTopics.Timing, "std_msgs/Float64MultiArray", 10);
        HasTopic(EpisodeTopics.CameraRgb, "sensor_msgs/Image", 5);
        HasTopic(EpisodeTopics.CameraDepth, "sensor_msgs/Image", 5);
        HasTopic(EpisodeTopics.Safety, "diagnostic_msgs/DiagnosticStatus", 1);
        Assert.Contains("messages: 83", info);
        Assert.Contains($"start: {Origin.ToUnixTimeSeconds()}.0", info);
    }

    [Fact]
    public void Python_rosbag_decodes_images_joint_states_and_the_safety_event()
    {
        string path = RecordEpisode();
        const string script = """
            import sys, json, rosbag
            out = {}
            with rosbag.Bag(sys.argv[1]) as bag:
                for topic, msg, t in bag.read_messages(topics=['/head_camera/rgb/image_raw']):
                    out.setdefault('rgb', []).append([msg.width, msg.height, msg.encoding, msg.step, list(bytearray(msg.data))[:3], msg.header.stamp.to_sec()])
                for topic, msg, t in bag.read_messages(topics=['/head_camera/depth/image']):
                    out.setdefault('depth', []).append([msg.encoding, msg.step, len(msg.data)])
                for topic, msg, t in bag.read_messages(topics=['/joint_states']):
                    out.setdefault('joints', []).append([msg.header.seq, msg.name[5], msg.position[5]])
                for topic, msg, t in bag.read_messages(topics=['/safety/events']):
                    out['safety'] = [msg.level, msg.name, msg.message, msg.values[0].key, msg.values[0].value, t.to_sec()]
                for topic, msg, t in bag.read_messages(topics=['/episode/events']):
                    out.setdefault('events', []).append(msg.data)
            print(json.dumps(out))
            """;
        var doc = JsonDocument.Parse(RosTool.PythonScript(script, path).EnsureSuccess("python rosbag").Stdout).RootElement;

        var rgb = doc.GetProperty("rgb");
        Assert.Equal(5, rgb.GetArrayLength());
        Assert.Equal(4, rgb[1][0].GetInt32());
        Assert.Equal(3, rgb[1][1].GetInt32());
        Assert.Equal("rgb8", rgb[1][2].GetString());
        Assert.Equal(12, rgb[1][3].GetInt32());
        Assert.Equal([2, 2, 2], rgb[1][4].EnumerateArray().Select(b => b.GetInt32()));
        Assert.Equal(Origin.ToUnixTimeSeconds() + 0.08, rgb[1][5].GetDouble(), 6);
        Assert.Equal("32FC1", doc.GetProperty("depth")[0][0].GetString());
        Assert.Equal(16, doc.GetProperty("depth")[0][1].GetInt32());
        Assert.Equal(48, doc.GetProperty("depth")[0][2].GetInt32());

        var joints = doc.GetProperty("joints");
        Assert.Equal(9, joints[9][0].GetInt32());
        Assert.Equal(FetchJoints.ShoulderPan, joints[9][1].GetString());
        Assert.Equal(0.09, joints[9][2].GetDouble(), 12);

        var safety = doc.GetProperty("safety");
        Assert.Equal(2, safety[0].GetInt32());
        Assert.Equal("estop", safety[1].GetString());
        Assert.Equal("operator e-stop over MQTT", safety[2].GetString());
        Assert.Equal("mqtt", safety[4].GetString());
        Assert.Equal(Origin.ToUnixTimeSeconds() + 0.24, safety[5].GetDouble(), 6);

        var events = doc.GetProperty("events");
        Assert.StartsWith("begin source=deploy task=FetchReach episode=0 seed=7", events[0].GetString());
        Assert.Equal("end terminated=false truncated=true reason=estop", events[1].GetString());
    }

    [Fact]
    public void Rosbag_play_publishes_the_recorded_actions_to_a_live_subscriber()
    {
        string path = RecordEpisode();
        int port = RosTool.FreeTcpPort();
        var environment = new Dictionary<string, string> { ["ROS_MASTER_URI"] = $"http://127.0.0.1:{port}" };
        using var master = RosMaster.Start(port, environment);

        // A rospy subscriber counts /episode/action and /safety/events while rosbag play runs.
        const string subscriber = """
            import sys, json, threading, subprocess, rospy
            from std_msgs.msg import Float64MultiArray
            from diagnostic_msgs.msg import DiagnosticStatus
            rospy.init_node('episode_listener', disable_signals=True)
            actions, safety = [], []
            rospy.Subscriber('/episode/action', Float64MultiArray, lambda m: actions.append(list(m.data)))
            rospy.Subscriber('/safety/events', DiagnosticStatus, lambda m: safety.append(m.name))
            rospy.sleep(1.0)
            play = subprocess.run(['rosbag', 'play', '--quiet', '-d', '0.5', '-r', '2', sys.argv[1]], capture_output=True, text=True, timeout=60)
            rospy.sleep(0.5)
            print(json.dumps({'rc': play.returncode, 'err': play.stderr[-500:], 'actions': actions, 'safety': safety}))
            rospy.signal_shutdown('done')
            """;
        var result = RosTool.Run(RosTool.Python, ["-c", subscriber, path], TimeSpan.FromSeconds(90), environment)
            .EnsureSuccess("rosbag play with a rospy subscriber");
        var doc = JsonDocument.Parse(result.Stdout.Trim().Split('\n')[^1]).RootElement;

        Assert.True(doc.GetProperty("rc").GetInt32() == 0, doc.GetProperty("err").GetString());
        Assert.Equal(10, doc.GetProperty("actions").GetArrayLength());
        Assert.Equal([0.1, -0.1, 0.0, 0.0], doc.GetProperty("actions")[0].EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(["estop"], doc.GetProperty("safety").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void Recording_after_the_file_is_gone_reports_the_failure_instead_of_throwing()
    {
        string path = Path.Combine(_directory, "doomed.bag");
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite);
        var recorder = new EpisodeRecorder(new BagWriter(stream, chunkThreshold: 64), Origin);
        recorder.RecordReward(TimeSpan.Zero, 1.0);
        stream.Dispose(); // the disk goes away under the recorder

        recorder.RecordObservation(Period, new double[100]);
        recorder.RecordReward(2 * Period, 1.0);
        recorder.Dispose();

        Assert.NotNull(recorder.Failure);
    }

    [Fact]
    public void Begin_refuses_a_task_name_that_would_break_the_event_text()
    {
        using var recorder = new EpisodeRecorder(new BagWriter(new MemoryStream()), Origin);
        var error = Assert.Throws<ArgumentException>(() =>
            recorder.BeginEpisode(TimeSpan.Zero, new EpisodeInfo(EpisodeSource.Eval, "Fetch Reach", 0, null, "twin", Period)));
        Assert.Contains("Fetch Reach", error.Message);
    }

    [Fact]
    public void Episode_info_round_trips_through_the_begin_event()
    {
        var info = new EpisodeInfo(EpisodeSource.Teleop, "FetchPush", 3, 42, "fetch", TimeSpan.FromMilliseconds(20));
        Assert.Equal(info, EpisodeInfo.Parse(info.ToEventText()));
        Assert.Throws<FormatException>(() => EpisodeInfo.Parse("begin task=X"));
    }

    [Fact]
    public void Episode_reader_groups_messages_into_steps_by_time()
    {
        string path = RecordEpisode();

        var episode = Assert.Single(EpisodeBagReader.Read(path, Origin));

        Assert.Equal(new EpisodeInfo(EpisodeSource.Deploy, "FetchReach", 0, 7, "twin", Period), episode.Info);
        Assert.Equal(10, episode.Steps.Count);
        var step3 = episode.Steps[3];
        Assert.Equal(3 * Period, step3.Time);
        Assert.Equal([3.0, 6.0, 3.0], step3.Observation!);
        Assert.Equal([0.1, -0.1, 0.0, 0.0], step3.Action!);
        Assert.Equal(-0.7, step3.Reward!.Value, 12);
        Assert.Equal([0.5, 0.5, 0.5], step3.DesiredGoal!);
        var stop = Assert.Single(episode.SafetyEvents);
        Assert.Equal((6 * Period, "estop"), (stop.Time, stop.Name));
        Assert.Equal("end terminated=false truncated=true reason=estop", episode.EndEvent);
    }

    [Fact]
    public void Safety_log_entries_become_diagnostics_named_by_kind()
    {
        string path = Path.Combine(_directory, "safety.bag");
        using (var recorder = EpisodeRecorder.Create(path, Origin))
        {
            recorder.BeginEpisode(TimeSpan.Zero, new EpisodeInfo(EpisodeSource.Teleop, "FetchReach", 0, null, "fetch", Period));
            recorder.RecordSafetyEvent(new SafetyEvent(1, SafetyEventKind.Trip, EStopSource.Teleop("operator"), "e-stop pressed",
                Origin.AddSeconds(1.5), TimeSpan.FromSeconds(1.25), 0));
            // no robot time: placed by its wall time relative to the origin
            recorder.RecordSafetyEvent(new SafetyEvent(2, SafetyEventKind.Reset, EStopSource.Teleop("operator"), "reset by operator",
                Origin.AddSeconds(4), null, 0));
        }

        var events = Assert.Single(EpisodeBagReader.Read(path, Origin)).SafetyEvents;
        Assert.Equal(2, events.Count);
        Assert.Equal((TimeSpan.FromSeconds(1.25), RosMessages.DiagnosticLevel.Error, "estop/trip", "e-stop pressed"),
            (events[0].Time, events[0].Level, events[0].Name, events[0].Message));
        Assert.Equal((TimeSpan.FromSeconds(4), RosMessages.DiagnosticLevel.Ok, "estop/reset"),
            (events[1].Time, events[1].Level, events[1].Name));
    }
}
