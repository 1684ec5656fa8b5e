using RobotBridge.Safety;

namespace RobotBridge.Learning.Deployment;

/// <summary>
/// How a deployment goes on after the safety layer stopped the robot: the episode that was running
/// ends, and the run waits here for an operator to reset the e-stop. Implementations only watch the
/// latch; they never command motion and never reset it themselves.
/// </summary>
public interface IStopRecovery
{
    /// <summary>The e-stop latch now.</summary>
    SafetySnapshot Safety { get; }

    /// <summary>Blocks until an operator's reset lets the robot move again (returns null), or gives
    /// up and returns why (the wait bound passed, or the run was cancelled).</summary>
    string? AwaitReset(CancellationToken cancel);
}

/// <summary>
/// Waits for the latch to run again, polling it, for at most <paramref name="bound"/> per stop. A
/// second trip during the wait only keeps it waiting: only a reset ends the wait early.
/// </summary>
/// <param name="safety">Reads the latch (e.g. <c>() =&gt; supervisor.Safety</c>).</param>
/// <param name="onWaiting">Told once per wait what is being waited for (for the operator's console).</param>
public sealed class OperatorResetWait(Func<SafetySnapshot> safety, TimeSpan bound, Action<SafetySnapshot>? onWaiting = null) : IStopRecovery
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public SafetySnapshot Safety => safety();

    public string? AwaitReset(CancellationToken cancel)
    {
        SafetySnapshot now = safety();
        if (!now.IsStopped)
        {
            return null;
        }
        onWaiting?.Invoke(now);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((now = safety()).IsStopped)
        {
            if (cancel.IsCancellationRequested)
            {
                return "cancelled while waiting for an operator to reset the e-stop";
            }
            if (waited.Elapsed >= bound)
            {
                return FormattableString.Invariant($"no operator reset the e-stop within {bound.TotalSeconds:0.#} s ({now})");
            }
            cancel.WaitHandle.WaitOne(Poll);
        }
        return null;
    }
}
