using System.Diagnostics;
using RobotBridge.Distributed.Contract;

namespace RobotBridge.Distributed.Learner;

/// <summary>
/// Throughput of a distributed run measured from the first submission on (so process and cluster
/// start-up are not counted): env and gradient steps per second, what one worker costs (its env steps
/// per second while collecting), the learner's own limit (gradient steps per second while busy) and
/// the policy version lag of stored episodes. Written by the learner thread only.
/// </summary>
public sealed class LearnerStats
{
    private readonly Stopwatch _clock = new();
    private long _startSteps, _startGradientSteps;
    private double _collectSeconds;
    private long _collectSteps;
    private long _lagSum;

    public long Steps { get; private set; }
    public long GradientSteps { get; private set; }
    public double Seconds { get; private set; }
    public double GradientSeconds { get; private set; }
    public long StoredEpisodes { get; private set; }
    public long MaxLag { get; private set; }

    public double EnvStepsPerSecond => Seconds > 0 ? Steps / Seconds : 0;
    public double GradientStepsPerSecond => Seconds > 0 ? GradientSteps / Seconds : 0;

    /// <summary>Gradient steps per second while the learner is taking them: its ceiling.</summary>
    public double LearnerLimit => GradientSeconds > 0 ? GradientSteps / GradientSeconds : 0;

    /// <summary>Env steps per second of one worker while it collects (stepping twins and choosing actions).</summary>
    public double WorkerStepsPerSecond => _collectSeconds > 0 ? _collectSteps / _collectSeconds : 0;

    public double MeanLag => StoredEpisodes > 0 ? _lagSum / (double)StoredEpisodes : 0;

    internal void Submitted(EpisodeRecord[] episodes, long steps, long gradientSteps)
    {
        if (!_clock.IsRunning)
        {
            _clock.Start();
            _startSteps = steps;
            _startGradientSteps = gradientSteps;
        }
        // A round's episodes share one collection time (the twins step side by side).
        if (episodes.Length > 0) _collectSeconds += episodes[0].CollectSeconds;
        _collectSteps += episodes.Sum(e => (long)e.Length);
    }

    internal void Stored(long lag)
    {
        StoredEpisodes++;
        _lagSum += lag;
        MaxLag = Math.Max(MaxLag, lag);
    }

    internal void Finished(long steps, long gradientSteps, double gradientSeconds)
    {
        Seconds = _clock.Elapsed.TotalSeconds;
        Steps = steps - _startSteps;
        GradientSteps = gradientSteps - _startGradientSteps;
        GradientSeconds = gradientSeconds;
    }
}
