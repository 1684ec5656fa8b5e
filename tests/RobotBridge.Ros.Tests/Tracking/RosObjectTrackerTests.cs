using RobotBridge.Control;
using RobotBridge.Model;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;
using RobotBridge.Ros.Tests.Rosbridge;
using RobotBridge.Ros.Tracking;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Tests.Tracking;

/// <summary>The object pose over rosbridge: the served twin's ground truth through our server and a
/// real WebSocket into <see cref="RosObjectTracker"/>, and hand-made poses from a server-side publisher.</summary>
public class RosObjectTrackerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Tracks_the_served_cube_to_the_millimetre_and_follows_it_when_it_is_moved()
    {
        await using var served = new ServedTwin(sceneObject: SceneObject.Cube);
        using var fetch = await ConnectAsync(served);
        using var tracker = RosObjectTracker.For(fetch);

        ObjectState state = await TrackedAsync(tracker);
        AssertMatchesGroundTruth(served.Twin, state);
        Assert.True(state.LinearVelocity.Length < 0.01, $"cube at rest reported moving at {state.LinearVelocity} m/s");
        TimeSpan age = fetch.Clock.Now - state.Stamp;
        Assert.InRange(age, TimeSpan.Zero, TimeSpan.FromSeconds(0.3));

        // Placed elsewhere, turned 30° about z: the tracker follows (it is live, not the scene file's pose).
        var turned = Rotation3.FromRpy(0, 0, Math.PI / 6).ToQuaternion();
        served.Twin.SetObjectPose(SceneObject.Cube, new ScenePose(0.55, -0.1, 0.425, turned.W, turned.X, turned.Y, turned.Z));
        TimeSpan placed = fetch.Clock.Now;
        state = await TrackedAsync(tracker, s => s.Stamp > placed + TimeSpan.FromMilliseconds(100));
        AssertMatchesGroundTruth(served.Twin, state);
        Assert.Equal(Math.PI / 6, state.Orientation.ToRpy().Z, 2);
        Assert.Equal(0, tracker.Rejected);
    }

    [Fact]
    public async Task Velocities_follow_a_falling_cube_and_a_teleport_is_a_discontinuity_not_a_spike()
    {
        await using var served = new ServedTwin(sceneObject: SceneObject.Cube);
        using var fetch = await ConnectAsync(served);
        using var tracker = RosObjectTracker.For(fetch);
        await TrackedAsync(tracker);

        // From the corner it waits in to 12 cm above the table, 0.3 m away: a jump no pushed cube makes.
        long discontinuities = tracker.Discontinuities;
        served.Twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.55, 0.1, 0.545));
        var seen = new List<ObjectState>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(1.5);
        while (DateTime.UtcNow < until)
        {
            if (tracker.TryGetObjectState(out var s) && (seen.Count == 0 || s.Stamp != seen[^1].Stamp))
            {
                seen.Add(s);
            }
            await Task.Delay(5);
        }

        Assert.True(tracker.Discontinuities > discontinuities, "the teleport was not treated as a discontinuity");
        Assert.All(seen, s => Assert.True(s.LinearVelocity.Length <= tracker.Options.MaxPlausibleSpeed, $"velocity spike {s.LinearVelocity}"));
        // Free fall from 12 cm lands at √(2·9.81·0.12) ≈ 1.5 m/s; differences over 33 ms see a little less.
        ObjectState fastest = seen.MinBy(s => s.LinearVelocity.Z);
        Assert.InRange(-fastest.LinearVelocity.Z, 0.5, 1.8);
        Assert.True(Math.Abs(fastest.LinearVelocity.X) < 0.2 && Math.Abs(fastest.LinearVelocity.Y) < 0.2, $"falling sideways: {fastest.LinearVelocity}");
        ObjectState last = seen[^1];
        Assert.True(last.LinearVelocity.Length < 0.02 && last.AngularVelocity.Length < 0.1, $"settled cube still moving: {last.LinearVelocity}, {last.AngularVelocity}");
        Assert.Equal(0.425, last.Position.Z, 2);
    }

    [Fact]
    public async Task The_object_counts_as_lost_once_its_poses_stop_arriving()
    {
        await using var served = new ServedTwin(sceneObject: SceneObject.Cube);
        using var fetch = await ConnectAsync(served);
        using var tracker = RosObjectTracker.For(fetch, new RosObjectTrackerOptions { StaleAfter = TimeSpan.FromSeconds(0.5) });
        await TrackedAsync(tracker);

        served.Node.Dispose(); // the publisher stops (as a detector that lost sight of the object would)
        var stopped = DateTime.UtcNow;
        while (tracker.TryGetObjectState(out _))
        {
            Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(3), "the object is still reported 3 s after its last pose");
            await Task.Delay(10);
        }
        Assert.True(tracker.Age > TimeSpan.FromSeconds(0.5), $"reported lost at age {tracker.Age}");
        Assert.False(tracker.TryGetObjectState(out _));
    }

    [Fact]
    public async Task Poses_in_another_frame_or_malformed_are_refused_with_their_reason()
    {
        await using var fx = new ServerFixture();
        var publisher = fx.Server.AdvertiseLocal<PoseStamped>("/test/object_pose");
        var client = await fx.ConnectAsync();
        var clock = new WallClock();
        using var tracker = new RosObjectTracker(client, clock, new StampAlignment(), new RosObjectTrackerOptions { Topic = "/test/object_pose" });
        await ServerFixture.Eventually(() => publisher.HasSubscribers, "tracker subscribed");

        async Task<string> RefusedAsync(PoseStamped pose)
        {
            long before = tracker.Rejected;
            publisher.Publish(pose);
            await ServerFixture.Eventually(() => tracker.Rejected > before, "the pose refused");
            return tracker.LastRejection!;
        }

        string reason = await RefusedAsync(Pose(100, "odom", 0.6, 0, 0.425));
        Assert.Contains("\"odom\"", reason);
        Assert.Contains("\"base_link\"", reason);
        Assert.Contains("refused", reason);
        Assert.Contains("not finite", await RefusedAsync(Pose(100, "base_link", double.NaN, 0, 0.425)));
        Assert.Contains("unit quaternion", await RefusedAsync(Pose(100, "base_link", 0.6, 0, 0.425, w: 0)));
        Assert.Contains("zero stamp", await RefusedAsync(Pose(0, "base_link", 0.6, 0, 0.425)));
        Assert.Equal(0, tracker.Received);
        Assert.False(tracker.TryGetObjectState(out _));

        // tf1's leading slash is fine; then the tracker reports the pose.
        publisher.Publish(Pose(100, "/base_link", 0.6, 0.05, 0.425));
        await ServerFixture.Eventually(() => tracker.Received == 1, "a valid pose accepted");
        Assert.True(tracker.TryGetObjectState(out var state));
        Assert.Equal(new Vec3(0.6, 0.05, 0.425), state.Position);
        Assert.Contains("not newer", await RefusedAsync(Pose(99.9, "base_link", 0.7, 0.05, 0.425)));
        Assert.True(tracker.TryGetObjectState(out state));
        Assert.Equal(0.6, state.Position.X); // the out-of-order pose changed nothing
    }

    [Fact]
    public async Task Velocities_are_differences_of_successive_poses_on_their_stamps()
    {
        await using var fx = new ServerFixture();
        var publisher = fx.Server.AdvertiseLocal<PoseStamped>(FetchTopics.ObjectPose);
        var client = await fx.ConnectAsync();
        using var tracker = new RosObjectTracker(client, new WallClock(), new StampAlignment());
        await ServerFixture.Eventually(() => publisher.HasSubscribers, "tracker subscribed");

        // Sliding at 0.1 m/s along x while turning at 1 rad/s about z, sampled every 1/30 s of robot time.
        const double period = 1.0 / 30;
        for (int i = 0; i < 5; i++)
        {
            double t = i * period;
            var q = Rotation3.FromRpy(0, 0, t).ToQuaternion();
            publisher.Publish(Pose(50 + t, "base_link", 0.6 + 0.1 * t, 0, 0.425, q.X, q.Y, q.Z, q.W));
        }
        await ServerFixture.Eventually(() => tracker.Received == 5, "five poses");
        Assert.True(tracker.TryGetObjectState(out var state));
        Assert.Equal(0.1, state.LinearVelocity.X, 5); // stamps carry 100 ns ticks: dt is exact to ~1e-6
        Assert.Equal(0, state.LinearVelocity.Y, 9);
        Assert.Equal(1.0, state.AngularVelocity.Z, 5);
        Assert.Equal(0, state.AngularVelocity.X, 9);
    }

    private static async Task<RosFetch> ConnectAsync(ServedTwin served)
    {
        var fetch = new RosFetch(new RosFetchOptions(served.Server.Uri) { CameraTopic = null });
        Assert.True(await fetch.WaitForStateAsync(Wait), "no joint state from the served twin");
        return fetch;
    }

    private static async Task<ObjectState> TrackedAsync(RosObjectTracker tracker, Func<ObjectState, bool>? until = null)
    {
        ObjectState state = default;
        await ServerFixture.Eventually(() => tracker.TryGetObjectState(out state) && (until?.Invoke(state) ?? true),
            $"object tracked ({tracker.Received} poses, {tracker.Rejected} refused: {tracker.LastRejection})", Wait);
        return state;
    }

    /// <summary>The tracked pose against the twin's world pose (the base has not moved: base_link is the world origin).</summary>
    private static void AssertMatchesGroundTruth(FetchTwin twin, ObjectState state)
    {
        ScenePose truth = twin.GetObjectPose(SceneObject.Cube);
        ScenePose baseLink = twin.GetBodyPose("base_link");
        Assert.True(Math.Abs(baseLink.X) < 1e-6 && Math.Abs(baseLink.Y) < 1e-6 && Math.Abs(baseLink.Z) < 1e-6, $"base moved: {baseLink}");
        double error = (state.Position - new Vec3(truth.X, truth.Y, truth.Z)).Length;
        Assert.True(error < 0.001, $"tracked {state.Position}, truth ({truth.X:F4}, {truth.Y:F4}, {truth.Z:F4}): {error * 1000:F2} mm off");
        Rotation3 truthRotation = Rotation3.FromQuaternion(truth.Qx, truth.Qy, truth.Qz, truth.Qw);
        double angle = (state.Orientation * truthRotation.Transposed).ToRotationVector().Length;
        Assert.True(angle < 0.01, $"orientation {angle:F4} rad off");
    }

    private static PoseStamped Pose(double stamp, string frame, double x, double y, double z,
        double qx = 0, double qy = 0, double qz = 0, double w = 1)
    {
        var pose = new PoseStamped();
        pose.Header.FrameId = frame;
        pose.Header.Stamp = RosTime.FromSeconds(stamp);
        pose.Pose.Position.X = x;
        pose.Pose.Position.Y = y;
        pose.Pose.Position.Z = z;
        pose.Pose.Orientation.X = qx;
        pose.Pose.Orientation.Y = qy;
        pose.Pose.Orientation.Z = qz;
        pose.Pose.Orientation.W = w;
        return pose;
    }
}
