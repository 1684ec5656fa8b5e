using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Robot;

/// <summary>What a heartbeat did.</summary>
internal enum HeartbeatVerdict
{
    /// <summary>Refused (out of order, expired); counted in the stats.</summary>
    Refused,
    /// <summary>Taken: the operator is alive.</summary>
    Admitted,
    /// <summary>Taken, and the operator driving the robot let go of the dead-man: stop the motion now.</summary>
    AdmittedStopMotion,
}

/// <summary>What the tick found about the motion under way.</summary>
/// <param name="StopReason">The motion's operator no longer holds the dead-man: stop the robot (why), else null.</param>
/// <param name="ZeroTwist">The gripper twist ran out of its ttl: send a zero twist.</param>
/// <param name="ZeroBase">The base twist ran out of its ttl: send a zero base twist.</param>
internal readonly record struct MotionExpiry(string? StopReason, bool ZeroTwist, bool ZeroBase);

/// <summary>
/// The teleop bridge's decisions about operators, without a broker or a robot: who counts (authorised
/// operators), which messages are fresh and in order (per-topic sequence, estimated age against the
/// ttl), who holds the dead-man, which operator's motion is under way and when a twist runs out. Time is
/// passed in (milliseconds on the bridge's clock), so every rule is a unit test.
/// </summary>
/// <remarks>Not thread-safe: the bridge calls it under its own lock, together with the command it sends.</remarks>
internal sealed class OperatorAdmission
{
    /// <summary>An operator silent this long is forgotten: its next message starts a new session.</summary>
    public const long ForgetOperatorAfterMs = 2000;

    private readonly HashSet<string> _authorised;
    private readonly long _heartbeatBoundMs;
    private readonly TimeSpan _ageWindow;
    private readonly TeleopBridgeStats _stats;
    private readonly Dictionary<string, OperatorState> _operators = new(StringComparer.Ordinal);
    private long _twistUntilMs = -1;
    private long _baseUntilMs = -1;
    private string? _motionOperator;

    public OperatorAdmission(IReadOnlyCollection<string> authorisedOperators, TimeSpan heartbeatTimeout, TimeSpan ageWindow, TeleopBridgeStats stats)
    {
        ArgumentNullException.ThrowIfNull(authorisedOperators);
        ArgumentNullException.ThrowIfNull(stats);
        _authorised = new HashSet<string>(authorisedOperators, StringComparer.Ordinal);
        _heartbeatBoundMs = (long)heartbeatTimeout.TotalMilliseconds;
        _ageWindow = ageWindow;
        _stats = stats;
    }

    /// <summary>The operator whose motion is under way, or null.</summary>
    public string? MotionOperator => _motionOperator;

    /// <summary>Whether a message from <paramref name="operatorId"/> on <paramref name="channel"/> counts at all:
    /// only authorised operators, except on the reset channel (the latch has its own list and logs refusals).</summary>
    public bool Authorised(string operatorId, OperatorChannel channel)
    {
        if (channel != OperatorChannel.EStopReset && !_authorised.Contains(operatorId))
        {
            _stats.CountRefused(RefusalReason.NotAuthorised);
            return false;
        }
        return true;
    }

    public HeartbeatVerdict Heartbeat(string operatorId, OperatorHeartbeat beat, long nowMs)
    {
        var op = Operator(operatorId);
        if (!Admit(op, OperatorChannel.Heartbeat, beat, ttlMs: _heartbeatBoundMs, nowMs))
        {
            return HeartbeatVerdict.Refused;
        }
        op.LastHeartbeatMs = nowMs;
        op.DeadmanHeld = beat.Deadman;
        if (!beat.Deadman && _motionOperator == operatorId)
        {
            ClearMotion();
            return HeartbeatVerdict.AdmittedStopMotion;
        }
        return HeartbeatVerdict.Admitted;
    }

    public bool AdmitReset(string operatorId, EStopResetRequest reset, long nowMs) =>
        Admit(Operator(operatorId), OperatorChannel.EStopReset, reset, ttlMs: 1000, nowMs);

    /// <summary>Whether a motion command may be executed: fresh, in order, the dead-man held by a live
    /// heartbeat, and the robot not stopped. Refusals are counted.</summary>
    public bool AdmitMotion(string operatorId, OperatorChannel channel, IMotionCommand command, bool robotStopped, long nowMs)
    {
        var op = Operator(operatorId);
        if (!Admit(op, channel, command, command.TtlMs, nowMs))
        {
            return false;
        }
        if (!command.Deadman || !op.DeadmanHeldAt(nowMs, _heartbeatBoundMs))
        {
            _stats.CountRefused(RefusalReason.DeadmanNotHeld);
            return false;
        }
        if (robotStopped)
        {
            _stats.CountRefused(RefusalReason.EStopActive);
            return false;
        }
        return true;
    }

    /// <summary>The admitted command went to the robot: its operator now drives it, and a twist runs out after its ttl.</summary>
    public void Executed(string operatorId, IMotionCommand command, long nowMs)
    {
        switch (command)
        {
            case GripperTwistCommand:
                _twistUntilMs = nowMs + command.TtlMs;
                break;
            case BaseTwistCommand:
                _baseUntilMs = nowMs + command.TtlMs;
                break;
        }
        _motionOperator = operatorId;
    }

    /// <summary>No motion under way any more (after a stop).</summary>
    public void ClearMotion()
    {
        _motionOperator = null;
        _twistUntilMs = -1;
        _baseUntilMs = -1;
    }

    /// <summary>The tick's check: a motion whose operator stopped confirming the dead-man ends in a stop;
    /// a twist past its ttl ends in a zero twist (not a stop: other groups' goals keep running).</summary>
    public MotionExpiry Expire(long nowMs)
    {
        if (_motionOperator is { } who && !Operator(who).DeadmanHeldAt(nowMs, _heartbeatBoundMs))
        {
            ClearMotion();
            return new MotionExpiry($"operator '{who}' dead-man not confirmed for {_heartbeatBoundMs} ms", false, false);
        }
        bool zeroTwist = false, zeroBase = false;
        if (_twistUntilMs >= 0 && nowMs > _twistUntilMs)
        {
            _twistUntilMs = -1;
            zeroTwist = true;
        }
        if (_baseUntilMs >= 0 && nowMs > _baseUntilMs)
        {
            _baseUntilMs = -1;
            zeroBase = true;
        }
        return new MotionExpiry(null, zeroTwist, zeroBase);
    }

    /// <summary>Sequence and age checks shared by every operator message.</summary>
    private bool Admit(OperatorState op, OperatorChannel channel, IOperatorMessage message, long ttlMs, long nowMs)
    {
        if (op.LastSeenMs != long.MinValue && nowMs - op.LastSeenMs > ForgetOperatorAfterMs)
        {
            // A silent operator has long since tripped the watchdog; whatever it sends now starts a new
            // session (a restarted console may count its sequence numbers and clock from anywhere).
            op.Forget(new MessageAgeEstimator(_ageWindow));
        }
        op.LastSeenMs = nowMs;
        long age = op.Age.Observe(nowMs, message.TMs);
        ref long lastSeq = ref op.LastSeq[(int)channel];
        if (message.Seq <= lastSeq)
        {
            _stats.CountRefused(RefusalReason.OutOfOrder);
            return false;
        }
        lastSeq = message.Seq;
        if (age > ttlMs)
        {
            _stats.CountRefused(RefusalReason.Expired);
            return false;
        }
        return true;
    }

    private OperatorState Operator(string operatorId)
    {
        if (!_operators.TryGetValue(operatorId, out var op))
        {
            op = new OperatorState(new MessageAgeEstimator(_ageWindow));
            _operators[operatorId] = op;
        }
        return op;
    }

    /// <summary>What the bridge remembers per operator.</summary>
    private sealed class OperatorState(MessageAgeEstimator age)
    {
        public MessageAgeEstimator Age { get; private set; } = age;
        public long[] LastSeq { get; } = Enumerable.Repeat(long.MinValue, Enum.GetValues<OperatorChannel>().Length).ToArray();
        public long LastHeartbeatMs { get; set; } = long.MinValue;
        public long LastSeenMs { get; set; } = long.MinValue;
        public bool DeadmanHeld { get; set; }

        public void Forget(MessageAgeEstimator fresh)
        {
            Age = fresh;
            Array.Fill(LastSeq, long.MinValue);
            LastHeartbeatMs = long.MinValue;
            DeadmanHeld = false;
        }

        public bool DeadmanHeldAt(long nowMs, long boundMs) =>
            DeadmanHeld && LastHeartbeatMs != long.MinValue && nowMs - LastHeartbeatMs <= boundMs;
    }
}
