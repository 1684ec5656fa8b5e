namespace RobotBridge.Learning.Sac;

/// <summary>
/// Replay memory that keeps whole episodes, because HER's 'future' strategy relabels a transition
/// with a goal achieved later in the same episode. A ring of <see cref="EpisodeCapacity"/> slots,
/// each holding up to <see cref="MaxEpisodeLength"/> steps; the oldest episode is overwritten first.
/// </summary>
/// <remarks>Per slot: observations and achieved goals at steps 0..T (T+1 rows), desired goal,
/// action and terminal flag for steps 0..T−1. Rewards are not stored: they are recomputed with the
/// env's ComputeReward at sampling time, for relabelled and original goals alike.</remarks>
public sealed class EpisodeReplayBuffer
{
    private readonly float[] _observations;
    private readonly double[] _achieved;
    private readonly double[] _desired;
    private readonly float[] _actions;
    private readonly bool[] _terminal;
    private readonly int[] _lengths;
    private int _next;
    private int _writing = -1;
    private int _pending;

    public EpisodeReplayBuffer(int capacityTransitions, int maxEpisodeLength, int observationSize, int goalSize, int actionSize)
    {
        if (maxEpisodeLength < 1) throw new ArgumentOutOfRangeException(nameof(maxEpisodeLength), "episodes need at least one step");
        MaxEpisodeLength = maxEpisodeLength;
        EpisodeCapacity = Math.Max(1, capacityTransitions / maxEpisodeLength);
        ObservationSize = observationSize;
        GoalSize = goalSize;
        ActionSize = actionSize;
        int rows = EpisodeCapacity * (maxEpisodeLength + 1);
        _observations = new float[rows * observationSize];
        _achieved = new double[rows * goalSize];
        _desired = new double[EpisodeCapacity * maxEpisodeLength * goalSize];
        _actions = new float[EpisodeCapacity * maxEpisodeLength * actionSize];
        _terminal = new bool[EpisodeCapacity * maxEpisodeLength];
        _lengths = new int[EpisodeCapacity];
    }

    public int MaxEpisodeLength { get; }
    public int EpisodeCapacity { get; }
    public int ObservationSize { get; }
    public int GoalSize { get; }
    public int ActionSize { get; }

    /// <summary>Number of complete episodes stored.</summary>
    public int Episodes { get; private set; }

    /// <summary>Number of transitions in the stored episodes.</summary>
    public int Transitions { get; private set; }

    /// <summary>Starts an episode at its first observation; the previous unfinished one is dropped.</summary>
    public void BeginEpisode(ReadOnlySpan<float> observation, ReadOnlySpan<double> achievedGoal)
    {
        if (_writing >= 0) Discard();
        _writing = _next;
        if (_lengths[_writing] > 0)
        {
            Transitions -= _lengths[_writing];
            Episodes--;
            _lengths[_writing] = 0;
        }
        observation.CopyTo(ObservationRow(_writing, 0));
        achievedGoal.CopyTo(AchievedRow(_writing, 0));
        _pending = 0;
    }

    /// <summary>Adds step t of the episode being written: the action taken, the goal pursued, and what followed.</summary>
    public void AddStep(ReadOnlySpan<float> action, ReadOnlySpan<double> desiredGoal, ReadOnlySpan<float> nextObservation, ReadOnlySpan<double> nextAchievedGoal, bool terminal)
    {
        if (_writing < 0) throw new InvalidOperationException("BeginEpisode must be called before AddStep");
        if (_pending == MaxEpisodeLength) throw new InvalidOperationException($"episode is longer than the buffer's maximum of {MaxEpisodeLength} steps");
        int t = _pending;
        action.CopyTo(_actions.AsSpan((_writing * MaxEpisodeLength + t) * ActionSize, ActionSize));
        desiredGoal.CopyTo(_desired.AsSpan((_writing * MaxEpisodeLength + t) * GoalSize, GoalSize));
        _terminal[_writing * MaxEpisodeLength + t] = terminal;
        nextObservation.CopyTo(ObservationRow(_writing, t + 1));
        nextAchievedGoal.CopyTo(AchievedRow(_writing, t + 1));
        _pending++;
    }

    /// <summary>Commits the episode being written so that it can be sampled.</summary>
    public void EndEpisode()
    {
        if (_writing < 0) throw new InvalidOperationException("no episode is being written");
        if (_pending == 0) { Discard(); return; }
        _lengths[_writing] = _pending;
        Transitions += _pending;
        Episodes++;
        _next = (_writing + 1) % EpisodeCapacity;
        _writing = -1;
    }

    private void Discard()
    {
        _writing = -1;
        _pending = 0;
    }

    /// <summary>Stored episodes occupy slots 0..Episodes−1: slots fill in order and only committed
    /// episodes advance the ring, so a uniform slot index in [0, Episodes) picks a stored episode.</summary>
    public int Length(int slot) => _lengths[slot];
    public Span<float> ObservationRow(int slot, int t) => _observations.AsSpan((slot * (MaxEpisodeLength + 1) + t) * ObservationSize, ObservationSize);
    public Span<double> AchievedRow(int slot, int t) => _achieved.AsSpan((slot * (MaxEpisodeLength + 1) + t) * GoalSize, GoalSize);
    public ReadOnlySpan<double> DesiredRow(int slot, int t) => _desired.AsSpan((slot * MaxEpisodeLength + t) * GoalSize, GoalSize);
    public ReadOnlySpan<float> ActionRow(int slot, int t) => _actions.AsSpan((slot * MaxEpisodeLength + t) * ActionSize, ActionSize);
    public bool Terminal(int slot, int t) => _terminal[slot * MaxEpisodeLength + t];

    /// <summary>Writes the stored episodes (for checkpoints); unused slots are not written.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(EpisodeCapacity); writer.Write(MaxEpisodeLength);
        writer.Write(_next); writer.Write(Episodes); writer.Write(Transitions);
        int e = Episodes, l = MaxEpisodeLength;
        foreach (int length in _lengths.AsSpan(0, e)) writer.Write(length);
        WriteArray(writer, _observations.AsSpan(0, e * (l + 1) * ObservationSize));
        WriteArray(writer, _achieved.AsSpan(0, e * (l + 1) * GoalSize));
        WriteArray(writer, _desired.AsSpan(0, e * l * GoalSize));
        WriteArray(writer, _actions.AsSpan(0, e * l * ActionSize));
        WriteArray(writer, _terminal.AsSpan(0, e * l));
    }

    /// <summary>Restores contents written by <see cref="Write"/> into a buffer of the same dimensions.</summary>
    public void Read(BinaryReader reader)
    {
        int capacity = reader.ReadInt32(), maxLength = reader.ReadInt32();
        if (capacity != EpisodeCapacity || maxLength != MaxEpisodeLength)
            throw new InvalidDataException($"checkpoint buffer holds {capacity} episodes of ≤{maxLength} steps; this run expects {EpisodeCapacity} of ≤{MaxEpisodeLength}");
        _next = reader.ReadInt32(); Episodes = reader.ReadInt32(); Transitions = reader.ReadInt32();
        int e = Episodes, l = MaxEpisodeLength;
        Array.Clear(_lengths);
        for (int i = 0; i < e; i++) _lengths[i] = reader.ReadInt32();
        ReadArray(reader, _observations.AsSpan(0, e * (l + 1) * ObservationSize));
        ReadArray(reader, _achieved.AsSpan(0, e * (l + 1) * GoalSize));
        ReadArray(reader, _desired.AsSpan(0, e * l * GoalSize));
        ReadArray(reader, _actions.AsSpan(0, e * l * ActionSize));
        ReadArray(reader, _terminal.AsSpan(0, e * l));
        _writing = -1;
    }

    private static void WriteArray<T>(BinaryWriter writer, Span<T> values) where T : unmanaged =>
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    private static void ReadArray<T>(BinaryReader reader, Span<T> values) where T : unmanaged
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values);
        if (reader.Read(bytes) != bytes.Length) throw new EndOfStreamException("checkpoint replay buffer is truncated");
    }
}
