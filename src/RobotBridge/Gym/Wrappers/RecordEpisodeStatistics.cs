using System.Diagnostics;

namespace RobotBridge.Gym.Wrappers;

/// <summary>
/// Tracks each episode's return, length and wall duration; on the step that ends an episode it adds
/// <see cref="InfoKeys.Episode"/> to the info and appends to <see cref="ReturnQueue"/>/<see cref="LengthQueue"/>
/// (the last <see cref="BufferLength"/> episodes).
/// </summary>
public sealed class RecordEpisodeStatistics<TObs, TAct> : Wrapper<TObs, TAct>
{
    private readonly TimeProvider _clock;
    private readonly Queue<double> _returns = new();
    private readonly Queue<int> _lengths = new();
    private readonly Queue<TimeSpan> _times = new();
    private double _return;
    private int _length;
    private long _start;

    public RecordEpisodeStatistics(IEnv<TObs, TAct> inner, int bufferLength = 100, TimeProvider? clock = null) : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bufferLength);
        BufferLength = bufferLength;
        _clock = clock ?? TimeProvider.System;
    }

    public int BufferLength { get; }
    public IReadOnlyCollection<double> ReturnQueue => _returns;
    public IReadOnlyCollection<int> LengthQueue => _lengths;
    public IReadOnlyCollection<TimeSpan> TimeQueue => _times;

    /// <summary>Episodes finished since construction.</summary>
    public long EpisodeCount { get; private set; }

    public override ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var r = Inner.Reset(seed, options);
        _return = 0;
        _length = 0;
        _start = _clock.GetTimestamp();
        return r;
    }

    public override StepResult<TObs> Step(TAct action)
    {
        var s = Inner.Step(action);
        _return += s.Reward;
        _length++;
        if (s.Terminated || s.Truncated)
        {
            var elapsed = _clock.GetElapsedTime(_start);
            Debug.Assert(s.Info is not null);
            s.Info.Set(InfoKeys.Episode, new EpisodeStatistics(_return, _length, elapsed));
            Push(_returns, _return);
            Push(_lengths, _length);
            Push(_times, elapsed);
            EpisodeCount++;
        }
        return s;
    }

    private void Push<T>(Queue<T> queue, T value)
    {
        if (queue.Count == BufferLength)
            queue.Dequeue();
        queue.Enqueue(value);
    }
}
