using RobotBridge.Gym.Goals;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;

namespace RobotBridge.Sim.Tests.Tasks;

/// <summary>
/// The Fetch env runs through the control loop: the guard's checks run at the loop's rate
/// (FetchTaskEnv.ControlRateHz), not once per policy step, on the same cycle training and deploy run.
/// </summary>
public sealed class EnvControlLoopTests
{
    private static readonly TimeSpan LoopPeriod = TimeSpan.FromSeconds(1 / FetchTaskEnv.ControlRateHz);

    /// <summary>The body's joint state stops updating when <see cref="Freeze"/> is set (a stalled driver).</summary>
    private sealed class FreezableRobot(IRobot inner) : ForwardingRobot(inner)
    {
        private readonly RobotState _last = new();
        public bool Freeze;
        public TimeSpan FrozenAt;

        public override void ReadState(RobotState state)
        {
            if (!Freeze)
            {
                Inner.ReadState(_last);
                FrozenAt = _last.ReceivedAt;
            }
            _last.CopyTo(state);
        }
    }

    /// <summary>Counts the guard's checks; everything else is the supervisor's.</summary>
    private sealed class CountingGuard(SafetySupervisor supervisor) : ISafetyGuard
    {
        public int Checks;
        public IRobot Robot => supervisor;
        public IRobot Body => supervisor.Inner;
        public EStopLatch Latch => supervisor.Latch;
        public SafetySnapshot Snapshot => supervisor.Safety;
        public SupervisorCounters Counters => supervisor.Counters;
        public SafetyConfig Config => supervisor.Config;
        public void Monitor()
        {
            Checks++;
            supervisor.Monitor();
        }
        public void ReportFault(string component, string cause) => supervisor.ReportFault(component, cause);
        public HeartbeatWatchdog AddHeartbeat(string name, TimeSpan? timeout = null) => supervisor.AddHeartbeat(name, timeout);
        public bool TryGetGoalStart(JointGroup group, TimeSpan at, Span<double> position, Span<double> velocity) =>
            supervisor.TryGetGoalStart(group, at, position, velocity);
    }

    /// <summary>Not a multiple of the 40 ms policy step: a check once per step would catch a stale state
    /// up to 40 ms after the bound, a check every 10 ms loop cycle within 10 ms.</summary>
    private static readonly SafetyConfig Config = SafetyConfig.Default() with { StaleStateAfter = 0.215 };

    private static (FetchTaskEnv Env, FreezableRobot Body, CountingGuard Guard) Make()
    {
        var spec = FetchTaskSpec.For(FetchTaskKind.Reach) with { ArmMotion = FetchArmMotion.Streamed };
        var twin = new FetchTwin(new FetchTwinOptions { Seed = 3, Camera = HeadCameraOptions.Off });
        var body = new FreezableRobot(twin);
        var latch = new EStopLatch(new EStopLatchOptions { RobotTime = () => twin.SimTime });
        var supervisor = ModelSafety.SuperviseFetch(body, latch, Config, ownsRobot: false);
        var guard = new CountingGuard(supervisor);
        var env = new FetchTaskEnv(spec, new FetchTaskBody(supervisor, new TwinTaskWorld(twin, spec), guard, new Owned(supervisor, twin)), FetchModel.Load());
        return (env, body, guard);
    }

    private sealed class Owned(params IDisposable[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }
    }

    [Fact]
    public void The_guard_checks_the_robot_every_loop_cycle_not_every_policy_step()
    {
        var (env, _, guard) = Make();
        using (env)
        {
            env.Reset(seed: 1);
            int before = guard.Checks;
            long cycles = env.Loop.Timing.Cycles;
            for (int i = 0; i < 10; i++)
            {
                env.Step([0.5f, 0f, 0f, 0f]);
            }
            int perStep = (int)(FetchTaskSpec.Period / LoopPeriod);
            Assert.Equal(4, perStep);
            Assert.Equal(10 * perStep, guard.Checks - before);
            Assert.Equal(10 * perStep, env.Loop.Timing.Cycles - cycles);
        }
    }

    [Fact]
    public void A_stale_joint_state_is_caught_within_one_loop_period_not_one_policy_step()
    {
        var (env, body, guard) = Make();
        using (env)
        {
            env.Reset(seed: 1);
            env.Step([0f, 0f, 0f, 0f]);
            body.Freeze = true;
            TimeSpan bound = TimeSpan.FromSeconds(Config.StaleStateAfter);
            SafetySnapshot? stopped = null;
            for (int i = 0; i < 50 && stopped is null; i++)
            {
                var step = env.Step([0f, 0f, 0f, 0f]);
                if (step.Info.Get(SafetyInfoKeys.Safety) is { IsStopped: true } s)
                {
                    stopped = s;
                }
            }
            Assert.NotNull(stopped);
            Assert.Contains("stale", stopped.LastTrip!.Source.ToString() + stopped.LastTrip.Cause, StringComparison.OrdinalIgnoreCase);
            TimeSpan caughtAfterBound = stopped.LastTrip.RobotTime!.Value - (body.FrozenAt + bound);
            Assert.True(caughtAfterBound >= TimeSpan.Zero && caughtAfterBound <= LoopPeriod,
                $"stale state caught {caughtAfterBound.TotalMilliseconds:F1} ms after its bound; the loop period is {LoopPeriod.TotalMilliseconds} ms " +
                $"(a check once per policy step would allow up to {FetchTaskSpec.Period.TotalMilliseconds} ms)");
            Assert.True(guard.Checks > 0);
        }
    }
}
