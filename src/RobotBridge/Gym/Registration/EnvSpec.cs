using RobotBridge.Gym.Wrappers;

namespace RobotBridge.Gym.Registration;

/// <summary>
/// A registered env id (Gymnasium's EnvSpec): how to construct the env and which standard wrappers
/// <see cref="EnvRegistry.Make"/> adds around it. Ids are <c>[namespace/]Name-vN</c>. Create one with
/// <see cref="EnvSpec{TObs, TAct}"/>, which knows the value types.
/// </summary>
public abstract record EnvSpec(string Id)
{
    /// <summary>Steps after which TimeLimit truncates; null for no limit.</summary>
    public int? MaxEpisodeSteps { get; init; }

    /// <summary>Settings used when Make is not given them (Make's settings override key by key).</summary>
    public IReadOnlyDictionary<string, object?> DefaultSettings { get; init; } = new Dictionary<string, object?>();

    /// <summary>Mean episode return at which the task counts as solved, if there is one.</summary>
    public double? RewardThreshold { get; init; }

    /// <summary>True when the same seed need not give the same trajectory (a real robot); the checker
    /// then skips the determinism checks.</summary>
    public bool Nondeterministic { get; init; }

    /// <summary>One line for listings.</summary>
    public string Description { get; init; } = "";

    /// <summary>The options Make used, on the spec of an env made by the registry; null on registered specs.</summary>
    public EnvOptions? Options { get; init; }

    public abstract Type ObservationType { get; }
    public abstract Type ActionType { get; }

    /// <summary>Builds the env with the standard wrappers (see <see cref="EnvRegistry.Make"/>).</summary>
    internal abstract IEnv Make(EnvOptions options);

    public override string ToString() => MaxEpisodeSteps is int n ? $"{Id} (max {n} steps)" : Id;
}

/// <summary>A spec whose factory builds an <see cref="IEnv{TObs, TAct}"/>.</summary>
/// <param name="Factory">Builds the bare env from the merged options (spec defaults overlaid with
/// Make's); must honour <see cref="EnvOptions.RenderMode"/> and may throw
/// <see cref="InvalidEnvArgumentException"/> for bad settings.</param>
public sealed record EnvSpec<TObs, TAct>(string Id, Func<EnvOptions, IEnv<TObs, TAct>> Factory) : EnvSpec(Id)
{
    public override Type ObservationType => typeof(TObs);
    public override Type ActionType => typeof(TAct);

    internal override IEnv Make(EnvOptions options) => MakeTyped(options);

    /// <summary>Bare env → PassiveEnvChecker → OrderEnforcing → TimeLimit, as gymnasium.make.</summary>
    internal IEnv<TObs, TAct> MakeTyped(EnvOptions options)
    {
        var env = Factory(options) ?? throw new InvalidOperationException($"the factory of {Id} returned null");
        try
        {
            if (env.RenderMode != options.RenderMode)
                throw new InvalidEnvArgumentException($"{Id} was asked for render mode {options.RenderMode} but its factory built one with {env.RenderMode}");
            IEnv<TObs, TAct> wrapped = env;
            if (!options.DisableEnvChecker)
                wrapped = new PassiveEnvChecker<TObs, TAct>(wrapped);
            if (options.OrderEnforce)
                wrapped = new OrderEnforcing<TObs, TAct>(wrapped);
            int? max = options.MaxEpisodeSteps ?? MaxEpisodeSteps;
            if (max is int m and > 0)
                wrapped = new TimeLimit<TObs, TAct>(wrapped, m);
            if (wrapped is EnvWrapper<TObs, TAct, TObs, TAct> outer)
                outer.Spec = this with { Options = options, MaxEpisodeSteps = max is > 0 ? max : null };
            return wrapped;
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }
}
