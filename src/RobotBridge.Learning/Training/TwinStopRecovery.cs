using RobotBridge.Gym;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Learning.Training;

/// <summary>The safety stops a training run's simulation operator reset: how many, and the last one's cause.</summary>
public sealed record SupervisorStops(int Count, string? Last)
{
    public override string ToString() => Count == 0
        ? "supervisor stops: 0"
        : $"supervisor stops: {Count} (last: {Last})";
}

/// <summary>Counts the stops of one run over all its envs (PPO's sub-envs may reset on several threads).</summary>
public sealed class SupervisorStopTally
{
    private readonly object _gate = new();
    private SupervisorStops _stops = new(0, null);
    private volatile bool _watching;

    /// <summary>True once an env of the run can have its stops reset: only then is there a count to report.</summary>
    public bool Watching => _watching;

    internal void Watch() => _watching = true;

    public SupervisorStops Stops
    {
        get
        {
            lock (_gate)
            {
                return _stops;
            }
        }
    }

    public void Record(SafetySnapshot stopped)
    {
        string? cause = stopped.LastTrip is { } trip ? $"{trip.Cause} (by {trip.Source})" : null;
        lock (_gate)
        {
            _stops = new SupervisorStops(_stops.Count + 1, cause);
        }
    }
}

/// <summary>Makes <see cref="TwinStopRecovery{TObs, TAct}"/> wrappers.</summary>
public static class TwinStopRecovery
{
    /// <summary>Resets in a row whose move to the start pose may be stopped before the run gives up:
    /// a twin that stops every time it is sent home will not train.</summary>
    public const int MaxStoppedResets = 3;

    /// <summary><paramref name="env"/> wrapped when its robot has a simulation operator; otherwise
    /// <paramref name="env"/> itself (a stop then ends the run at the next reset, as on a robot).</summary>
    public static IEnv<TObs, TAct> TryWrap<TObs, TAct>(IEnv<TObs, TAct> env, SupervisorStopTally tally)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(tally);
        if (env.SimulationOperator() is not { } simulationOperator)
        {
            return env;
        }
        tally.Watch();
        return new TwinStopRecovery<TObs, TAct>(env, simulationOperator, tally);
    }
}

/// <summary>
/// Training on the twin past a safety stop. A step the supervisor stopped ends the episode as a failure:
/// truncated, not terminated, and <c>is_success</c> false. The next reset has the simulation's operator
/// reset the latch (counted in the tally) before the episode starts, and again if the move to the start
/// pose is stopped, at most <see cref="TwinStopRecovery.MaxStoppedResets"/> times in a row.
/// </summary>
/// <remarks>
/// <para>Truncated, because for the learner a stop is not a state the task ends in. Stored as terminal
/// with the sparse −1 reward it is worth −1, more than any state still short of the goal (about
/// −1/(1−γ) = −20 at γ 0.95), and the policy would learn to trip the supervisor; truncated, the learner
/// bootstraps from where the stop left it and gains nothing by stopping.</para>
/// <para>Only for an env whose robot has a <see cref="SimulationOperator"/> (<see cref="TwinStopRecovery.TryWrap"/>): the
/// twin made for training. Eval and deploy never wrap theirs, and a rosbridge robot has no operator, so
/// there a latched stop still waits for a human. A reset the latch refuses (a lasting source still
/// active) ends the run as before, with the refusal.</para>
/// </remarks>
public sealed class TwinStopRecovery<TObs, TAct> : Wrapper<TObs, TAct>
{
    private readonly SimulationOperator _operator;
    private readonly SupervisorStopTally _tally;

    internal TwinStopRecovery(IEnv<TObs, TAct> inner, SimulationOperator simulationOperator, SupervisorStopTally tally) : base(inner)
    {
        _operator = simulationOperator;
        _tally = tally;
    }

    public override ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            ResetLatchIfStopped();
            try
            {
                return Inner.Reset(seed, options);
            }
            catch (TaskResetException) when (attempt < TwinStopRecovery.MaxStoppedResets && _operator.Safety.IsStopped)
            {
                // Stopped on the way to the start pose: reset and send it home again (same seed, same episode).
            }
        }
    }

    public override StepResult<TObs> Step(TAct action)
    {
        var step = Inner.Step(action);
        if (!step.Info.TryGet(SafetyInfoKeys.Safety, out SafetySnapshot safety) || !safety.IsStopped)
        {
            return step;
        }
        step.Info.Set(InfoKeys.IsSuccess, false);
        return step with { Terminated = false, Truncated = true };
    }

    private void ResetLatchIfStopped()
    {
        SafetySnapshot stopped = _operator.Safety;
        if (!stopped.IsStopped)
        {
            return;
        }
        EStopResetResult result = _operator.ResetLatch();
        if (result != EStopResetResult.Accepted && _operator.Safety.IsStopped)
        {
            throw new TaskResetException($"the robot is stopped ({_operator.Safety}) and the simulation's operator could not reset the latch ({result})");
        }
        _tally.Record(stopped);
    }
}
