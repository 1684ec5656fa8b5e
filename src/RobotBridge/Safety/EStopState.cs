namespace RobotBridge.Safety;

/// <summary>
/// States of the latched e-stop:
/// <list type="bullet">
/// <item><see cref="Running"/>: no stop; motion commands pass.</item>
/// <item><see cref="Tripped"/>: at least one source still asserts a stop; a reset is refused.</item>
/// <item><see cref="AwaitingReset"/>: every source has cleared, the latch still holds the stop until
/// an authorised reset arrives.</item>
/// </list>
/// Transitions: Running →(trip)→ Tripped →(last source clears)→ AwaitingReset →(authorised reset)→ Running;
/// AwaitingReset →(trip)→ Tripped. A momentary trip (a pulse) goes straight to AwaitingReset.
/// </summary>
public enum EStopState
{
    Running,
    Tripped,
    AwaitingReset,
}

/// <summary>Result of <see cref="EStopLatch.TryReset"/>.</summary>
public enum EStopResetResult
{
    /// <summary>The latch was released; the robot may move again.</summary>
    Accepted,
    /// <summary>Nothing to reset: the latch was not tripped.</summary>
    NotTripped,
    /// <summary>Refused: at least one source still asserts a stop.</summary>
    SourcesActive,
    /// <summary>Refused: the operator is not on the list of those allowed to reset.</summary>
    NotAuthorised,
}
