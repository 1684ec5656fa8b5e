using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Model;

namespace RobotBridge.Tasks;

/// <summary>
/// Registers the Fetch tasks as Gym ids: <c>Fetch{Reach,Push,Slide,PickAndPlace}[Dense]-v4</c> (sparse
/// or dense reward, Gymnasium-Robotics v4 semantics) and <c>Fetch{…}[Dense]Camera-v4</c> (the same rewards
/// plus an 84x84 head-camera image; the dense one is what on-policy learners from pixels can climb). Every id takes the options <c>robot</c> ("sim" by default, or a rosbridge
/// URL) and, for camera ids, <c>image_size</c>; all have a 50-step time limit. Beside them, the deployable
/// family <c>Fetch{…}Deploy-v1</c> (<see cref="RegisterDeployable"/>).
/// </summary>
public static class FetchEnvs
{
    public const int MaxEpisodeSteps = 50;
    public const int DefaultImageSize = 84;
    public const string RobotOption = "robot";
    public const string ImageSizeOption = "image_size";
    public const string ArmMotionOption = "arm_motion";

    /// <summary>The arm's posture at the start (<see cref="ArmPosture"/>): <c>elbow-up</c> (the default) or
    /// <c>elbow-out</c>, which keeps the arm below the head camera's view of the table.</summary>
    public const string ArmPostureOption = "arm_posture";

    /// <summary>Sim bodies: <c>measured</c> draws the twin's command and observation latency from the
    /// rosbridge figures at every reset (from the episode's seed), <c>none</c> leaves them at zero.</summary>
    public const string LatencyOption = "latency";

    /// <summary>Sim bodies: standard deviation of the noise on the reported joint positions (rad).</summary>
    public const string JointNoiseOption = "joint_noise";

    /// <summary>Sim bodies behind a supervisor: true gives the env a <see cref="SimulationOperator"/> that may
    /// reset the twin's e-stop latch. Set by training for the env it trains on, never kept in a policy file,
    /// so eval and deploy never have one.</summary>
    public const string TrainingOperatorOption = "training_operator";

    /// <summary>Episode length of the deployable family (steps of 100 ms): Reach 50 (5 s), the object tasks
    /// 150 (15 s). The acceleration-limited arm has to get to the object before it can move it; the scripted
    /// Push on the supervised twin succeeds in 9/20 seeded episodes within 50 steps, 16/20 within 100 and
    /// 19/20 within 150 (PickAndPlace 1, 5 and 11 of 20), so 15 s is the first length at which the task,
    /// rather than the arm's speed, limits success (<c>bench tasks --family deploy --robot sim --max-steps N</c>).</summary>
    public static int DeployableEpisodeSteps(FetchTaskKind kind) => kind == FetchTaskKind.Reach ? 50 : 150;

    /// <summary>Version suffix of the deployable family, <c>Fetch{Reach,Push,Slide,PickAndPlace}Deploy-v1</c>.</summary>
    public const string DeployableSuffix = "Deploy-v1";

    /// <summary>Defaults of the deployable family: training meets what deploy runs (the supervisor in
    /// front of the twin, the rosbridge latency, encoder-sized joint noise).</summary>
    public static IReadOnlyDictionary<string, object?> DeployableDefaults { get; } = new Dictionary<string, object?>
    {
        [RobotOption] = "sim",
        ["safety"] = true,
        [LatencyOption] = "measured",
        [JointNoiseOption] = 0.0005,
    };

    private static readonly (string Suffix, GoalRewardType Reward, bool Camera)[] Variants =
    [
        ("", GoalRewardType.Sparse, false),
        ("Dense", GoalRewardType.Dense, false),
        ("Camera", GoalRewardType.Sparse, true),
        ("DenseCamera", GoalRewardType.Dense, true),
    ];

    /// <summary>Ids this class registers, in a stable order.</summary>
    public static IReadOnlyList<string> Ids { get; } = BuildIds();

    public static void Register(EnvRegistry registry, IFetchBodyProvider bodies, Func<RobotModel>? model = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(bodies);
        Func<RobotModel> loadModel = model ?? FetchModel.Load;
        foreach (FetchTaskKind kind in Enum.GetValues<FetchTaskKind>())
        {
            foreach (var (suffix, reward, camera) in Variants)
            {
                string id = $"Fetch{kind}{suffix}-v4";
                if (registry.IsRegistered(id))
                {
                    continue;
                }
                FetchTaskKind k = kind;
                registry.Register<DictValue, float[]>(id, options =>
                    {
                        var spec = FetchTaskSpec.For(k) with
                        {
                            RewardType = reward,
                            ImageSize = camera ? options.Get(ImageSizeOption, DefaultImageSize) : 0,
                            ArmMotion = ArmMotion(options),
                        };
                        return Build(spec, bodies, loadModel, options);
                    },
                    MaxEpisodeSteps,
                    $"Fetch {kind} ({(reward == GoalRewardType.Dense ? "dense" : "sparse")} reward{(camera ? ", head-camera image" : "")}), on the twin or a real Fetch",
                    new Dictionary<string, object?> { [RobotOption] = "sim" });
            }
        }
        RegisterDeployable(registry, bodies, model);
    }

    /// <summary>The env on the body the <c>robot</c> option names; a body whose env cannot be built is
    /// released at once (it may hold a connection or a stopped robot).</summary>
    private static FetchTaskEnv Build(FetchTaskSpec spec, IFetchBodyProvider bodies, Func<RobotModel> loadModel, EnvOptions options)
    {
        FetchTaskBody body = bodies.Create(options.Get(RobotOption, "sim"), spec, options);
        try
        {
            return new FetchTaskEnv(spec with { StartPosture = Posture(options) }, body, loadModel(), options.RenderMode);
        }
        catch
        {
            body.World.Dispose();
            body.Owner?.Dispose();
            throw;
        }
    }

    /// <summary>Registers <c>Fetch{Reach,Push,Slide,PickAndPlace}Deploy-v1</c> (sparse reward, steps of
    /// 100 ms, <see cref="DeployableEpisodeSteps"/> per episode), the deployable family (<see cref="FetchTaskSpec.DeployableFor"/>).</summary>
    public static void RegisterDeployable(EnvRegistry registry, IFetchBodyProvider bodies, Func<RobotModel>? model = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(bodies);
        Func<RobotModel> loadModel = model ?? FetchModel.Load;
        foreach (FetchTaskKind kind in Enum.GetValues<FetchTaskKind>())
        {
            string id = $"Fetch{kind}{DeployableSuffix}";
            if (registry.IsRegistered(id))
            {
                continue;
            }
            FetchTaskKind k = kind;
            registry.Register<DictValue, float[]>(id, options =>
                {
                    if (options.Settings.ContainsKey(ArmMotionOption))
                    {
                        throw new InvalidEnvArgumentException($"{id} always streams the arm; env option \"{ArmMotionOption}\" is for the v4 ids");
                    }
                    return Build(FetchTaskSpec.DeployableFor(k), bodies, loadModel, options);
                },
                DeployableEpisodeSteps(k),
                $"Fetch {kind}, deployable: grip-velocity action streamed at 10 Hz, {DeployableEpisodeSteps(k) / 10} s episodes, supervisor and measured latency in the loop",
                DeployableDefaults);
        }
    }

    /// <summary>True for the ids of the deployable family.</summary>
    public static bool IsDeployable(string id) => TryGetKind(id, out _) && id.EndsWith(DeployableSuffix, StringComparison.Ordinal);

    /// <summary>Nearest the robot (m, base frame) the scripted Push stands behind the cube on the deployable
    /// family: the streamed arm, its joint targets kept inside the supervisor's ranges, does not reach the
    /// table nearer than about 0.49 m.</summary>
    public const double DeployableNearestPushX = 0.50;

    /// <summary>The scripted controller for a Fetch task id (either family), or null for any other id.</summary>
    public static ScriptedFetchController? ScriptedFor(string id)
    {
        if (!TryGetKind(id, out FetchTaskKind kind))
        {
            return null;
        }
        if (!IsDeployable(id))
        {
            return new ScriptedFetchController(kind, FetchTaskSpec.For(kind).FullActionDistance);
        }
        FetchTaskSpec spec = FetchTaskSpec.DeployableFor(kind);
        // `bench tasks --family deploy --robot bare --episodes 40`: Push with damped aims and reachable
        // stand-behind points 38/40 (was 34/40); PickAndPlace committed to its grasp under the family's
        // noisy, step-old object pose 40/40 (was 34/40). Reach and Slide as in v4.
        return kind switch
        {
            FetchTaskKind.Push => new ScriptedFetchController(kind, spec.FullActionDistance, damping: 1, nearestPushX: DeployableNearestPushX),
            FetchTaskKind.PickAndPlace => new ScriptedFetchController(kind, spec.FullActionDistance, noisyObject: true),
            _ => new ScriptedFetchController(kind, spec.FullActionDistance),
        };
    }

    /// <summary>The <c>arm_motion</c> option: <c>direct</c> (the default) or <c>streamed</c>.</summary>
    public static FetchArmMotion ArmMotion(EnvOptions options)
    {
        string value = options.Get(ArmMotionOption, "direct");
        return value.ToLowerInvariant() switch
        {
            "direct" => FetchArmMotion.Direct,
            "streamed" => FetchArmMotion.Streamed,
            _ => throw new InvalidEnvArgumentException($"env option \"{ArmMotionOption}\" = \"{value}\" is not one of: direct, streamed"),
        };
    }

    /// <summary>The <c>arm_posture</c> option: <c>elbow-up</c> (the default) or <c>elbow-out</c>.</summary>
    public static ArmPosture Posture(EnvOptions options)
    {
        string value = options.Get(ArmPostureOption, "elbow-up");
        return value.ToLowerInvariant() switch
        {
            "elbow-up" => ArmPosture.ElbowUp,
            "elbow-out" => ArmPosture.ElbowOut,
            _ => throw new InvalidEnvArgumentException($"env option \"{ArmPostureOption}\" = \"{value}\" is not one of: elbow-up, elbow-out"),
        };
    }

    /// <summary>The task an id such as "FetchPushDense-v4" names, or false for an id that is not a Fetch task.</summary>
    public static bool TryGetKind(string id, out FetchTaskKind kind)
    {
        foreach (FetchTaskKind k in Enum.GetValues<FetchTaskKind>())
        {
            if (Variants.Any(v => id == $"Fetch{k}{v.Suffix}-v4") || id == $"Fetch{k}{DeployableSuffix}")
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>Ids <see cref="RegisterDeployable"/> registers.</summary>
    public static IReadOnlyList<string> DeployableIds { get; } = [.. Enum.GetValues<FetchTaskKind>().Select(k => $"Fetch{k}{DeployableSuffix}")];

    private static List<string> BuildIds() =>
        [.. Enum.GetValues<FetchTaskKind>().SelectMany(k => Variants.Select(v => $"Fetch{k}{v.Suffix}-v4"))];
}
