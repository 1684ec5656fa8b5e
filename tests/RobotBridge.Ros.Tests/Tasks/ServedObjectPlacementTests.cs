using System.Collections.Concurrent;
using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Model;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using RobotBridge.Ros.Tasks;
using RobotBridge.Ros.Tests.Rosbridge;
using RobotBridge.Safety;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Tests.Tasks;

/// <summary>Object tasks on a served twin with nobody to place the object: <c>object_placement=twin</c>
/// and serve's twin-only <see cref="FetchTopics.PlaceObject"/>, with its role and its bounds.</summary>
public class ServedObjectPlacementTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string ViewerSecret = "viewer-secret-0123456789";
    private const string OperatorSecret = "operator-secret-0123456789";

    [Fact]
    public async Task A_push_reset_has_the_twin_put_the_cube_where_the_episode_sampled_it_and_the_episode_runs()
    {
        await using var served = new ServedTwin(sceneObject: SceneObject.Cube);
        // Loosened staleness bounds, as ServedReachTests: two shared, loaded cores.
        using var env = served.MakeEnv("FetchPushDeploy-v1", staleStateAfter: 1.0, linkTimeout: 2.0,
            o => o.With(RosFetchBodyProvider.ObjectPlacementOption, "twin"));

        var (obs, _) = env.Reset(seed: 3);
        Vec3 asked = Assert.Single(served.PlacementRequests);
        Vec3 truth = Truth(served.Twin);
        output.WriteLine($"asked {asked}, cube at {truth}, observed {Observed(obs)}");
        Assert.True(Horizontal(truth - asked) < 0.003, $"cube at {truth}, asked for {asked}");
        Assert.Equal(FetchTaskSpec.TableTop + 0.025, truth.Z, 0.005);
        // The deployable observation carries 2 mm of noise.
        Assert.True(Horizontal(Observed(obs) - asked) < 0.01, $"first observation {Observed(obs)}, asked for {asked}");

        var controller = new ScriptedFetchController(FetchTaskKind.Push);
        var action = new float[4];
        for (int t = 0; t < 10; t++)
        {
            controller.Act(obs, action);
            StepResult<DictValue> step = env.Step(action);
            obs = step.Observation;
            Assert.False(step.Info.Get(SafetyInfoKeys.Safety).IsStopped, step.Info.Get(SafetyInfoKeys.Safety).ToString());
            Assert.True(step.Info.Get(FetchTaskInfoKeys.ObjectTracked), $"object not tracked at step {t}");
        }
    }

    [Fact]
    public async Task With_auth_a_viewer_cannot_move_the_object_and_an_operator_can()
    {
        await using var served = new ServedTwin(sceneObject: SceneObject.Cube,
            credentials: new ServerCredentials([(ClientRole.Viewer, ViewerSecret), (ClientRole.Operator, OperatorSecret)]));
        Vec3 before = Truth(served.Twin);
        var target = new Vec3(0.70, -0.10, 0);

        await using var viewer = await ConnectAsync(served, Auth(ViewerSecret, "viewer"));
        var viewerStatuses = Statuses(viewer);
        using (var place = viewer.Advertise<PointStamped>(FetchTopics.PlaceObject))
        {
            place.Publish(Point(target));
            await ServerFixture.Eventually(() => viewerStatuses.Any(s => s.Contains("needs the operator role")), "the viewer's placement refused");
        }
        await Task.Delay(200);
        Assert.True((Truth(served.Twin) - before).Length < 0.002, $"the cube moved from {before} to {Truth(served.Twin)}");
        Assert.Empty(served.PlacementRequests);

        await using var op = await ConnectAsync(served, Auth(OperatorSecret, "operator"));
        using var opPlace = op.Advertise<PointStamped>(FetchTopics.PlaceObject);
        await ServerFixture.Eventually(() =>
        {
            opPlace.Publish(Point(target));
            return Horizontal(Truth(served.Twin) - target) < 0.003;
        }, "the operator's placement done");
    }

    [Fact]
    public async Task Off_table_non_finite_and_foreign_frame_points_are_refused_and_the_cube_stays()
    {
        await using var served = new ServedTwin(sceneObject: SceneObject.Cube);
        var placedLines = new ConcurrentQueue<string>();
        served.Node.ObjectPlacement += placedLines.Enqueue;
        Vec3 before = Truth(served.Twin);
        await using var client = await ConnectAsync(served, auth: null);
        var statuses = Statuses(client);
        using var place = client.Advertise<PointStamped>(FetchTopics.PlaceObject);
        await Task.Delay(200);

        (PointStamped Point, string Refusal)[] bad =
        [
            (Point(new Vec3(1.5, 0, 0)), "off the table"), // beyond the table's far edge (0.858 m)
            (Point(new Vec3(0.6, 0.34, 0)), "off the table"), // the cube would hang over the side edge
            (Point(new Vec3(double.NaN, 0, 0)), "not finite"),
            (Point(new Vec3(0.7, 0, 0), frame: "map"), "is not base_link"),
        ];
        foreach (var (point, refusal) in bad)
        {
            place.Publish(point);
            await ServerFixture.Eventually(() => statuses.Any(s => s.Contains(refusal)) && placedLines.Any(l => l.Contains(refusal)),
                $"a refusal saying \"{refusal}\" to the client and in the log");
            statuses.Clear();
        }
        Assert.True((Truth(served.Twin) - before).Length < 0.002, $"the cube moved from {before} to {Truth(served.Twin)}");
        foreach (string line in placedLines)
        {
            output.WriteLine(line);
        }

        // The node is still there: a good point moves the cube.
        var good = new Vec3(0.65, 0.05, 0);
        place.Publish(Point(good));
        await ServerFixture.Eventually(() => Horizontal(Truth(served.Twin) - good) < 0.003, "the cube placed after the refusals");
    }

    [Fact]
    public void An_unknown_object_placement_is_one_clear_error()
    {
        var e = Assert.Throws<InvalidEnvArgumentException>(() => new RosFetchBodyProvider().Create("ws://127.0.0.1:1",
            FetchTaskSpec.DeployableFor(FetchTaskKind.Push), new EnvOptions().With(RosFetchBodyProvider.ObjectPlacementOption, "robot")));
        Assert.Contains("\"object_placement\" = \"robot\" is not one of: operator", e.Message);
    }

    /// <summary>The cube in the robot's base frame (the served base drifts a little during resets).</summary>
    private static Vec3 Truth(FetchTwin twin)
    {
        Assert.True(new TwinObjectTracker(twin, SceneObject.Cube).TryGetObjectState(out ObjectState state));
        return state.Position;
    }

    private static Vec3 Observed(DictValue obs)
    {
        double[] o = obs.Observation();
        return new Vec3(o[3], o[4], o[5]);
    }

    private static double Horizontal(Vec3 d) => Math.Sqrt(d.X * d.X + d.Y * d.Y);

    private static PointStamped Point(Vec3 at, string frame = FetchTopics.ObjectFrame)
    {
        var message = new PointStamped();
        message.Header.FrameId = frame;
        message.Point.X = at.X;
        message.Point.Y = at.Y;
        message.Point.Z = at.Z;
        return message;
    }

    private static RosAuthRequest Auth(string secret, string level) =>
        RosAuthRequest.Create(secret, "127.0.0.1", "127.0.0.1", level, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));

    private static async Task<RosbridgeClient> ConnectAsync(ServedTwin served, RosAuthRequest? auth)
    {
        var client = new RosbridgeClient(new RosbridgeClientOptions(served.Server.Uri) { Auth = auth });
        client.Start();
        Assert.True(await client.WaitConnectedAsync(ServerFixture.Wait), "client did not connect");
        return client;
    }

    private static ConcurrentQueue<string> Statuses(RosbridgeClient client)
    {
        var statuses = new ConcurrentQueue<string>();
        client.StatusReceived += (_, e) => statuses.Enqueue(e.Message);
        return statuses;
    }
}
