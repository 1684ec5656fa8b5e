using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Learning.Deployment;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Learning.Tests.Learning;

public class PolicyDeploymentTests
{
    /// <summary>Counts Reset and Step calls, to prove a refused policy never touched the env.</summary>
    private sealed class CallCounter(IEnv<DictValue, float[]> inner) : Wrapper<DictValue, float[]>(inner)
    {
        public int Resets { get; private set; }
        public int Steps { get; private set; }

        public override ResetResult<DictValue> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
        {
            Resets++;
            return base.Reset(seed, options);
        }

        public override StepResult<DictValue> Step(float[] action)
        {
            Steps++;
            return base.Step(action);
        }
    }

    [Fact]
    public void MismatchedPolicyIsRefusedBeforeTheEnvIsResetOrStepped()
    {
        using var trainedOn = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(trainedOn, "PointMassGoal-v0", "sac-her", [16]);
        TorchRuntime.Configure(1, 1);
        using var policy = new SquashedGaussianPolicy(spec);
        using var env = new CallCounter(new PointMassGoalEnv(new PointMassGoalOptions { ImageSize = 36 }));

        var e = Assert.Throws<PolicyEnvMismatchException>(() => PolicyDeployment.Run(policy, env, "camera point mass", episodes: 1, seed: 1));
        Assert.Contains("camera point mass", e.Message);
        Assert.Contains("observation space differs", e.Message);
        Assert.Equal(0, env.Resets);
        Assert.Equal(0, env.Steps);
    }

    [Fact]
    public void MatchingPolicyRunsWholeEpisodesAndReportsTiming()
    {
        using var inner = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(inner, "PointMassGoal-v0", "sac-her", [16]);
        TorchRuntime.Configure(1, 1);
        using var policy = new SquashedGaussianPolicy(spec);
        using var env = new CallCounter(new PointMassGoalEnv());
        var seen = new List<DeployStep>();

        var result = PolicyDeployment.Run(policy, env, "point mass", episodes: 2, seed: 7, onStep: seen.Add);

        Assert.Null(result.StoppedBy);
        Assert.Equal(2, result.Episodes);
        Assert.Equal(100, result.Steps); // two 50-step episodes (the default limit without a registry spec)
        Assert.Equal(2, env.Resets);
        Assert.Equal(100, seen.Count);
        Assert.All(seen, s => Assert.NotNull(s.EnvTiming));
        Assert.True(result.Inference.P50 > TimeSpan.Zero && result.Inference.P99 >= result.Inference.P50);
    }

    /// <summary>A point mass behind a real e-stop latch, as a Fetch task sits behind its supervisor:
    /// info["safety"] after every step, a refused reset while stopped, and optional trips injected
    /// during a given step or during a given reset (the move to the start pose).</summary>
    private sealed class LatchedPointMass(EStopLatch latch) : Wrapper<DictValue, float[]>(new PointMassGoalEnv())
    {
        public (int Episode, int Step)? TripDuringStep { get; init; }
        public int? TripDuringReset { get; init; }
        public int Episodes { get; private set; }
        public int CallsWhileStopped { get; private set; }
        public List<int?> Seeds { get; } = [];
        private int _step;
        private bool _trippedInReset;

        public override ResetResult<DictValue> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
        {
            Seeds.Add(seed);
            if (latch.IsStopped)
            {
                CallsWhileStopped++;
                throw new TaskResetException($"the robot is stopped ({latch.Snapshot})");
            }
            if (TripDuringReset == Episodes + 1 && !_trippedInReset)
            {
                _trippedInReset = true;
                latch.TripMomentary(EStopSource.Software("test"), "trip while moving home");
                throw new TaskResetException("the move to the start pose was stopped by the safety layer");
            }
            Episodes++;
            _step = 0;
            var result = base.Reset(seed, options);
            result.Info.Set(SafetyInfoKeys.Safety, latch.Snapshot);
            return result;
        }

        public override StepResult<DictValue> Step(float[] action)
        {
            if (latch.IsStopped)
            {
                CallsWhileStopped++;
            }
            _step++;
            if (TripDuringStep == (Episodes, _step))
            {
                latch.TripMomentary(EStopSource.Software("test"), "operator pressed the e-stop");
            }
            var result = base.Step(action);
            result.Info.Set(SafetyInfoKeys.Safety, latch.Snapshot);
            return result;
        }
    }

    private static (SquashedGaussianPolicy Policy, EStopLatch Latch) PolicyAndLatch()
    {
        using var probe = new PointMassGoalEnv();
        TorchRuntime.Configure(1, 1);
        var policy = new SquashedGaussianPolicy(PolicyInputs.SpecFor(probe, "PointMassGoal-v0", "sac-her", [16]));
        return (policy, new EStopLatch(new EStopLatchOptions { AuthorisedOperators = ["op"] }));
    }

    /// <summary>An operator on another thread: trips once more during the wait, then resets.</summary>
    private static Thread OperatorResetsAfter(EStopLatch latch, TimeSpan delay)
    {
        var thread = new Thread(() =>
        {
            while (!latch.IsStopped) Thread.Sleep(1);
            Thread.Sleep(delay / 2);
            latch.TripMomentary(EStopSource.Software("test"), "second press while waiting");
            Thread.Sleep(delay / 2);
            Assert.Equal(EStopResetResult.Accepted, latch.TryReset("op"));
        });
        thread.Start();
        return thread;
    }

    [Fact]
    public void A_safety_stop_ends_the_episode_and_an_operator_reset_resumes_with_the_next()
    {
        var (policy, latch) = PolicyAndLatch();
        using (policy)
        using (var env = new LatchedPointMass(latch) { TripDuringStep = (1, 5) })
        {
            var operatorThread = OperatorResetsAfter(latch, TimeSpan.FromMilliseconds(200));
            var result = PolicyDeployment.Run(policy, env, "point mass", episodes: 3, seed: 7,
                recovery: new OperatorResetWait(() => latch.Snapshot, TimeSpan.FromSeconds(30)));
            operatorThread.Join();

            Assert.Null(result.StoppedBy);
            Assert.Equal(3, result.Episodes);
            Assert.Equal(5 + 50 + 50, result.Steps); // the stopped episode ended at its fifth step
            Assert.Equal((1, 1), (result.SafetyStops, result.Resumes));
            Assert.Equal(0, env.CallsWhileStopped); // nothing was commanded between the stop and the reset
            Assert.Equal([7, null, null], env.Seeds);
        }
    }

    [Fact]
    public void Without_a_reset_in_time_the_run_ends_saying_why_and_a_stop_while_moving_home_is_waited_out_too()
    {
        var (policy, latch) = PolicyAndLatch();
        using (policy)
        {
            using (var env = new LatchedPointMass(latch) { TripDuringStep = (1, 3) })
            {
                var result = PolicyDeployment.Run(policy, env, "point mass", episodes: 2, seed: 7,
                    recovery: new OperatorResetWait(() => latch.Snapshot, TimeSpan.FromMilliseconds(100)));
                Assert.StartsWith("safety stop: ", result.StoppedBy);
                Assert.Contains("no operator reset the e-stop within 0.1 s", result.StoppedBy);
                Assert.Equal((1, 3L, 1, 0), (result.Episodes, result.Steps, result.SafetyStops, result.Resumes));
                Assert.Equal(0, env.CallsWhileStopped);
            }

            Assert.Equal(EStopResetResult.Accepted, latch.TryReset("op"));
            using (var env = new LatchedPointMass(latch) { TripDuringReset = 1 })
            {
                var operatorThread = OperatorResetsAfter(latch, TimeSpan.FromMilliseconds(100));
                var result = PolicyDeployment.Run(policy, env, "point mass", episodes: 1, seed: 7,
                    recovery: new OperatorResetWait(() => latch.Snapshot, TimeSpan.FromSeconds(30)));
                operatorThread.Join();
                Assert.Null(result.StoppedBy);
                Assert.Equal((1, 50L, 1, 1), (result.Episodes, result.Steps, result.SafetyStops, result.Resumes));
                Assert.Equal([7, 7], env.Seeds); // the first episode keeps its seed when its reset is retried
            }
        }
    }

    [Fact]
    public void Without_recovery_the_first_safety_stop_ends_the_run()
    {
        var (policy, latch) = PolicyAndLatch();
        using (policy)
        using (var env = new LatchedPointMass(latch) { TripDuringStep = (1, 4) })
        {
            var result = PolicyDeployment.Run(policy, env, "point mass", episodes: 3, seed: 7);
            Assert.StartsWith("safety stop: ", result.StoppedBy);
            Assert.Contains("operator pressed the e-stop", result.StoppedBy);
            Assert.Equal((1, 4L, 1, 0), (result.Episodes, result.Steps, result.SafetyStops, result.Resumes));
        }
    }
}
