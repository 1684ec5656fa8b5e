using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Tasks;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// A policy's success with the object's pose from ground truth and from the camera tracker, on the same
/// episodes: every episode is reset with its own seed (first seed + index), so both trackers see the same
/// goals and placements whatever the other episodes did. An episode the camera cannot see at its start
/// (the env refuses the reset) counts as a failure and the run goes on; a latched safety stop ends it.
/// The env judges success on the pose its tracker gives (a camera that lost the cube judges where it last
/// saw it), so on a body with ground truth (the twin) success is also judged on the true pose, and each
/// step is put in a phase by the true pose: before the gripper first holds the cube, while it holds it
/// (the cube's centre within <see cref="HeldWithin"/> of the grip site), after.
/// </summary>
internal static class TrackerComparisonBench
{
    /// <summary>Steps whose observation held a pose at most this old count as freshly measured: the
    /// one-step lag (100 ms) plus one camera frame (67 ms at 15 Hz).</summary>
    public static readonly TimeSpan FreshAge = TimeSpan.FromMilliseconds(170);

    /// <summary>The cube counts as in the gripper when its true centre is this close to the grip site
    /// (the 5 cm cube between the fingers puts them within ~1 cm).</summary>
    public const double HeldWithin = 0.025;

    public enum Phase { BeforeGrasp, Held, After }

    /// <summary>Steps and freshly measured steps of one phase.</summary>
    public sealed record PhaseCount(int Steps, int Fresh);

    public sealed record Run(string Tracker, int Episodes, int Successes, int UnseenStarts, int Steps, int FreshSteps, int TrackedSteps, string? StoppedBy)
    {
        public double SuccessRate => Episodes == 0 ? 0 : Successes / (double)Episodes;

        /// <summary>Successes judged on the true object pose, or null on a body without ground truth.</summary>
        public int? TruthSuccesses { get; init; }

        /// <summary>Steps by where the camera tracker's answer came from (seen, held, hidden, carried, none);
        /// empty for ground truth.</summary>
        public IReadOnlyDictionary<TrackerAnswer, int> Answers { get; init; } = new Dictionary<TrackerAnswer, int>();

        /// <summary>Steps per phase (by the true pose), empty on a body without ground truth.</summary>
        public IReadOnlyDictionary<Phase, PhaseCount> Phases { get; init; } = new Dictionary<Phase, PhaseCount>();
    }

    public static Run Measure(SquashedGaussianPolicy policy, string envId, EnvOptions options, string tracker, int episodes, int seed)
    {
        using var env = GymEnvs.Make<DictValue, float[]>(envId, options.With(ObjectTrackerChoice.Option, tracker));
        PolicyEnvMismatchException.ThrowIfMismatched(policy.Spec, env, envId);
        int limit = options.MaxEpisodeSteps ?? env.Spec?.MaxEpisodeSteps ?? FetchEnvs.MaxEpisodeSteps;
        var vector = new float[policy.Spec.VectorSize];
        var action = new float[policy.Spec.ActionSize];
        FetchTaskEnv? task = env.Unwrapped as FetchTaskEnv;
        ITaskWorld? truth = task?.World is TrackedTaskWorld tracked0 ? tracked0.Inner : task?.World;
        int successes = 0, unseen = 0, steps = 0, fresh = 0, tracked = 0, truthSuccesses = 0;
        var phaseSteps = new int[3];
        var phaseFresh = new int[3];
        var answers = new int[Enum.GetValues<TrackerAnswer>().Length];
        CameraObjectTracker? camera = (task?.World as TrackedTaskWorld)?.Tracker as CameraObjectTracker;
        bool hasTruth = truth is not null;
        Run Result(int episodesRun, string? stoppedBy) => new(tracker, episodesRun, successes, unseen, steps, fresh, tracked, stoppedBy)
        {
            TruthSuccesses = hasTruth ? truthSuccesses : null,
            Answers = camera is null ? new Dictionary<TrackerAnswer, int>() : Enum.GetValues<TrackerAnswer>().ToDictionary(a => a, a => answers[(int)a]),
            Phases = hasTruth ? Enum.GetValues<Phase>().ToDictionary(p => p, p => new PhaseCount(phaseSteps[(int)p], phaseFresh[(int)p])) : new Dictionary<Phase, PhaseCount>(),
        };
        for (int e = 0; e < episodes; e++)
        {
            DictValue obs;
            try
            {
                (obs, _) = env.Reset(seed: seed + e);
            }
            catch (TaskResetException refused)
            {
                if (env.SafetyGuard()?.Snapshot is { IsStopped: true })
                {
                    return Result(e, $"episode {e + 1}: {refused.Message}");
                }
                unseen++; // the camera did not see the object where it was put: the episode cannot start
                continue;
            }
            bool success = false, truthSuccess = false, heldYet = false;
            for (int t = 0; t < limit; t++)
            {
                PolicyInputs.WriteVector(policy.Spec, obs, vector);
                policy.Act(vector, PolicyInputs.Image(policy.Spec, obs), action);
                var step = env.Step(action);
                obs = step.Observation;
                steps++;
                bool seen = step.Info.GetOrDefault(FetchTaskInfoKeys.ObjectTracked, false);
                tracked += seen ? 1 : 0;
                if (camera is not null)
                {
                    answers[(int)camera.LastAnswer]++; // the answer this step's observation was made from
                }
                bool isFresh = seen && step.Info.GetOrDefault(FetchTaskInfoKeys.ObjectAge, TimeSpan.MaxValue) <= FreshAge;
                fresh += isFresh ? 1 : 0;
                success = step.Info.GetOrDefault(InfoKeys.IsSuccess, false);
                if (truth is not null && task is not null && truth.TryGetObjectState(out ObjectState real))
                {
                    double[] o = obs.Observation(), goal = obs.DesiredGoal();
                    var grip = new Model.Vec3(o[0], o[1], o[2]);
                    bool held = (real.Position - grip).Length <= HeldWithin;
                    heldYet |= held;
                    int phase = (int)(held ? Phase.Held : heldYet ? Phase.After : Phase.BeforeGrasp);
                    phaseSteps[phase]++;
                    phaseFresh[phase] += isFresh ? 1 : 0;
                    truthSuccess = (real.Position - new Model.Vec3(goal[0], goal[1], goal[2])).Length < task.TaskSpec.DistanceThreshold;
                }
                if (step.Done)
                {
                    break;
                }
            }
            successes += success ? 1 : 0;
            truthSuccesses += truthSuccess ? 1 : 0;
        }
        return Result(episodes, null);
    }
}
