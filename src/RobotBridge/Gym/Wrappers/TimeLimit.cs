namespace RobotBridge.Gym.Wrappers;

/// <summary>Sets Truncated once <see cref="MaxEpisodeSteps"/> steps have been taken since Reset
/// (the inner env's flags are kept; terminated wins nothing over truncated, both may be true).</summary>
public sealed class TimeLimit<TObs, TAct> : Wrapper<TObs, TAct>
{
    private int _elapsed;

    public TimeLimit(IEnv<TObs, TAct> inner, int maxEpisodeSteps) : base(inner)
    {
        if (maxEpisodeSteps <= 0)
            throw new InvalidEnvArgumentException($"TimeLimit needs a positive step limit, got {maxEpisodeSteps}");
        MaxEpisodeSteps = maxEpisodeSteps;
    }

    public int MaxEpisodeSteps { get; }

    /// <summary>Steps taken in the current episode.</summary>
    public int ElapsedSteps => _elapsed;

    public override ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        _elapsed = 0;
        return Inner.Reset(seed, options);
    }

    public override StepResult<TObs> Step(TAct action)
    {
        var s = Inner.Step(action);
        _elapsed++;
        return _elapsed >= MaxEpisodeSteps ? s with { Truncated = true } : s;
    }
}
