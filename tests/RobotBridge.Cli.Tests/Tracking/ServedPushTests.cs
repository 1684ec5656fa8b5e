using System.Globalization;
using System.Text.RegularExpressions;
using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Model;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using RobotBridge.Ros.Tasks;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;
using RobotBridge.Safety;

namespace RobotBridge.Cli.Tests.Tracking;

/// <summary>
/// FetchPush-v4 on a rosbridge body: RosFetch → our server → the real-time twin, the object observation
/// coming from the RosObjectTracker the body provider builds, fed by the served twin's ground truth.
/// </summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)] // one real-time chain at a time: on 2 cores two starve each other
public sealed partial class ServedPushTests
{
    [Fact]
    public async Task FetchPush_episode_runs_over_rosbridge_with_the_object_from_the_tracker()
    {
        using var twin = new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime, Camera = HeadCameraOptions.Off });
        await using var server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0, Dialect = RosDialect.Ros1 });
        server.Start();
        using var node = new FetchRobotNode(server, twin, objectSource: ServedTaskScene.Arrange(twin, SceneObject.Cube));

        var operatorPrompt = new TeleportingOperator(twin);
        var registry = new EnvRegistry();
        FetchEnvs.Register(registry, new FetchBodyProviders(new RosFetchBodyProvider(operatorPrompt)));
        using var env = registry.Make<DictValue, float[]>("FetchPush-v4", new EnvOptions()
            .With(FetchEnvs.RobotOption, server.Uri.ToString())); // the shipped safety config, 0.2 s staleness bound included

        var (obs, _) = env.Reset(seed: 3);
        // The operator was asked where to put the cube and did; the first observation already has it there.
        Vec3 placed = Assert.Single(operatorPrompt.Placed);
        AssertNear(placed, Object(obs), 0.002, "initial object observation vs where the operator placed the cube");
        AssertNear(Truth(twin), Object(obs), 0.002, "initial object observation vs the twin's ground truth");

        // The scripted push, and midway a hand knocks the cube 6 cm sideways: the observation must follow
        // the cube wherever it goes, through tracker, server, WebSocket and env.
        var controller = new ScriptedFetchController(FetchTaskKind.Push);
        var action = new float[4];
        double worst = 0;
        StepResult<DictValue> step = default;
        int steps = 0, knockedAt = -1, followedAt = -1;
        Vec3 knockedTo = default;
        while (!step.Done && steps < FetchEnvs.MaxEpisodeSteps)
        {
            controller.Act(obs, action);
            step = env.Step(action);
            obs = step.Observation;
            steps++;
            Assert.False(step.Info.Get(SafetyInfoKeys.Safety).IsStopped, step.Info.Get(SafetyInfoKeys.Safety).ToString());
            Assert.True(step.Info.Get(FetchTaskInfoKeys.ObjectTracked), $"object not tracked at step {steps}");
            if (steps == 20)
            {
                knockedTo = Truth(twin) + new Vec3(0, 0.06, 0);
                PlaceInBaseFrame(twin, knockedTo);
                knockedAt = steps;
            }
            else if (knockedAt > 0 && followedAt < 0 && (Object(obs) - knockedTo).Length < 0.002)
            {
                followedAt = steps;
            }
            if (knockedAt < 0 || followedAt > 0)
            {
                // The observation is at most a pose period plus transport old; the cube moves well under 2 cm in that time.
                worst = Math.Max(worst, (Truth(twin) - Object(obs)).Length);
            }
        }
        Assert.Equal(FetchEnvs.MaxEpisodeSteps, steps);
        Assert.True(followedAt > 0, $"the observation never showed the cube where it was knocked to, {knockedTo}");
        // One 40 ms step for the next pose (30 Hz) to be published and arrive, a second at most under load.
        Assert.InRange(followedAt - knockedAt, 1, 3);
        Assert.True(worst < 0.02, $"object observation was up to {worst * 1000:F1} mm from the twin's ground truth");

        // The detector goes quiet (here: the whole served node stops): once its last pose is older than
        // the 0.5 s bound the step says the object is not tracked, instead of passing a frozen pose off as current.
        node.Dispose();
        Thread.Sleep(TimeSpan.FromSeconds(0.7));
        step = env.Step(new float[4]);
        Assert.False(step.Info.Get(FetchTaskInfoKeys.ObjectTracked), "a 0.7 s old object pose still counted as tracked");
    }

    private static Vec3 Object(DictValue obs)
    {
        double[] o = obs.Observation();
        return new Vec3(o[3], o[4], o[5]);
    }

    /// <summary>The cube's position in the robot's base frame, from the twin's world poses (the served
    /// base is not fixed: the arm's swings during a reset push it a few centimetres).</summary>
    private static Vec3 Truth(FetchTwin twin)
    {
        ScenePose p = twin.GetObjectPose(SceneObject.Cube);
        return BaseLink(twin).Inverse().TransformPoint(new Vec3(p.X, p.Y, p.Z));
    }

    private static RigidTransform BaseLink(FetchTwin twin)
    {
        ScenePose b = twin.GetBodyPose("base_link");
        return new RigidTransform(Rotation3.FromQuaternion(b.Qx, b.Qy, b.Qz, b.Qw), new Vec3(b.X, b.Y, b.Z));
    }

    /// <summary>Teleports the cube to a position given in the robot's base frame.</summary>
    private static void PlaceInBaseFrame(FetchTwin twin, Vec3 at)
    {
        Vec3 world = BaseLink(twin).TransformPoint(at);
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(world.X, world.Y, world.Z));
    }

    private static void AssertNear(Vec3 expected, Vec3 actual, double tolerance, string what) =>
        Assert.True((expected - actual).Length < tolerance, $"{what}: expected {expected}, got {actual}");

    /// <summary>The operator, in process: reads where the prompt asks for the cube and teleports it there.</summary>
    private sealed partial class TeleportingOperator(FetchTwin twin) : IOperatorPrompt
    {
        public List<Vec3> Placed { get; } = [];

        public bool Confirm(string request, CancellationToken cancellationToken = default)
        {
            Match m = Where().Match(request);
            Assert.True(m.Success, $"the prompt does not say where to put the cube: {request}");
            var at = new Vec3(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                FetchTaskSpec.TableTop + 0.025);
            PlaceInBaseFrame(twin, at); // the prompt's coordinates are in the robot's base frame
            Placed.Add(at);
            return true;
        }

        [GeneratedRegex(@"x=(-?\d+\.\d+) m, y=(-?\d+\.\d+) m")]
        private static partial Regex Where();
    }
}
