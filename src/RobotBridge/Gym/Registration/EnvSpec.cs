namespace RobotBridge.Gym.Registration;

/// <summary>
/// A registered env id (Gymnasium's EnvSpec): how to construct it and which standard wrappers
/// <see cref="EnvRegistry.Make"/> adds. Ids are <c>[namespace/]Name-vN</c>.
/// </summary>
/// <param name="Id">e.g. "PointMassGoal-v0", "FetchReach-v4".</param>
/// <param name="Factory">Builds the bare env from the merged options; may throw
/// <see cref="InvalidEnvArgumentException"/> for bad settings.</param>
public sealed record EnvSpec(string Id, Func<EnvOptions, IEnv> Factory)
{
    /// <summary>Steps after which TimeLimit truncates; null for no limit.</summary>
    public int? MaxEpisodeSteps { get; init; }

    /// <summary>Settings used when Make is not given them.</summary>
    public IReadOnlyDictionary<string, object?> DefaultSettings { get; init; } = new Dictionary<string, object?>();

    /// <summary>Mean episode return at which the task counts as solved, if there is one.</summary>
    public double? RewardThreshold { get; init; }

    /// <summary>True when the same seed need not give the same trajectory (e.g. a real robot); the
    /// checker then skips determinism.</summary>
    public bool Nondeterministic { get; init; }

    /// <summary>One line for listings.</summary>
    public string Description { get; init; } = "";

    /// <summary>The options Make actually used (set on the spec returned by an env made from the registry).</summary>
    public EnvOptions? Options { get; init; }

    public override string ToString() => MaxEpisodeSteps is int n ? $"{Id} (max {n} steps)" : Id;
}
