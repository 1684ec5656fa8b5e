using System.Text.RegularExpressions;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Vector;

namespace RobotBridge.Gym.Registration;

/// <summary>
/// Env ids and how to make them (Gymnasium's registry and make). Thread-safe.
/// </summary>
/// <remarks>
/// <para><see cref="Default"/> is the process-wide registry, like Gymnasium's: it starts with the
/// built-in envs (<see cref="RegisterBuiltIns"/>) and other assemblies add theirs at start-up (e.g. the
/// Fetch tasks: <c>FetchEnvs.Register(EnvRegistry.Default)</c>). It is the one piece of process-wide
/// mutable state in the Gym API; tests and tools that want isolation create their own registry.</para>
/// <para>Make passes <see cref="EnvOptions.Settings"/> (e.g. <c>robot = "sim"</c>,
/// <c>rosbridge = "ws://fetch:9090"</c>) through to the factory, overlaid on the spec's defaults.</para>
/// </remarks>
public sealed partial class EnvRegistry
{
    private static readonly Lazy<EnvRegistry> LazyDefault = new(() =>
    {
        var r = new EnvRegistry();
        RegisterBuiltIns(r);
        return r;
    });

    private readonly object _gate = new();
    private readonly Dictionary<string, EnvSpec> _specs = new(StringComparer.Ordinal);

    public static EnvRegistry Default => LazyDefault.Value;

    /// <summary>All registered specs, by id.</summary>
    public IReadOnlyList<EnvSpec> Specs
    {
        get
        {
            lock (_gate)
                return [.. _specs.Values.OrderBy(s => s.Id, StringComparer.Ordinal)];
        }
    }

    /// <summary>Adds <paramref name="spec"/>; an id already registered is an error unless
    /// <paramref name="replace"/>.</summary>
    public void Register(EnvSpec spec, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ParseId(spec.Id);
        lock (_gate)
        {
            if (!replace && _specs.ContainsKey(spec.Id))
                throw new EnvRegistrationException($"env id {spec.Id} is already registered; pass replace: true to override it");
            _specs[spec.Id] = spec;
        }
    }

    /// <summary>Registers a typed factory under <paramref name="id"/>.</summary>
    public EnvSpec<TObs, TAct> Register<TObs, TAct>(string id, Func<EnvOptions, IEnv<TObs, TAct>> factory,
        int? maxEpisodeSteps = null, string description = "", IReadOnlyDictionary<string, object?>? defaultSettings = null)
    {
        var spec = new EnvSpec<TObs, TAct>(id, factory)
        {
            MaxEpisodeSteps = maxEpisodeSteps,
            Description = description,
            DefaultSettings = defaultSettings ?? new Dictionary<string, object?>(),
        };
        Register(spec);
        return spec;
    }

    public bool IsRegistered(string id)
    {
        lock (_gate)
            return _specs.ContainsKey(id);
    }

    /// <summary>The spec of <paramref name="id"/>; unknown ids fail naming the registered versions or similar ids.</summary>
    public EnvSpec Spec(string id)
    {
        var (ns, name, version) = ParseId(id);
        lock (_gate)
        {
            if (_specs.TryGetValue(id, out var spec))
                return spec;
            var sameName = _specs.Keys.Where(k => ParseId(k) is var p && p.Namespace == ns && p.Name == name).Order().ToList();
            if (sameName.Count > 0)
                throw new EnvRegistrationException($"env {id} is not registered (version v{version?.ToString() ?? "?"}); registered versions of {name}: {string.Join(", ", sameName)}");
            var similar = _specs.Keys.Where(k => k.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(ParseId(k).Name, StringComparison.OrdinalIgnoreCase)).Order().ToList();
            throw new EnvRegistrationException(similar.Count > 0
                ? $"env {id} is not registered; did you mean {string.Join(", ", similar)}?"
                : $"env {id} is not registered; registered ids: {string.Join(", ", _specs.Keys.Order())}");
        }
    }

    /// <summary>
    /// Builds env <paramref name="id"/> like gymnasium.make: the factory's env, then PassiveEnvChecker
    /// (unless <see cref="EnvOptions.DisableEnvChecker"/>), OrderEnforcing (unless
    /// <see cref="EnvOptions.OrderEnforce"/> is false), and TimeLimit when the spec or the options give
    /// a step limit. The outermost wrapper's <see cref="IEnv.Spec"/> records the options used.
    /// </summary>
    public IEnv Make(string id, EnvOptions? options = null)
    {
        var spec = Spec(id);
        return spec.Make(Merge(spec, options));
    }

    /// <summary>As <see cref="Make(string, EnvOptions?)"/>, typed; a type mismatch names the env's real types.</summary>
    public IEnv<TObs, TAct> Make<TObs, TAct>(string id, EnvOptions? options = null) => Spec(id) is EnvSpec<TObs, TAct> typed
        ? typed.MakeTyped(Merge(typed, options))
        : throw new EnvRegistrationException(
            $"env {id} has observations {Spec(id).ObservationType.Name} and actions {Spec(id).ActionType.Name}, not {typeof(TObs).Name}/{typeof(TAct).Name}");

    /// <summary>
    /// <paramref name="count"/> copies of env <paramref name="id"/> (each made as by Make) in a vector env.
    /// </summary>
    public IVectorEnv<TObs, TAct> MakeVec<TObs, TAct>(string id, int count, EnvOptions? options = null, VectorizationMode mode = VectorizationMode.Sync)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Func<int, IEnv<TObs, TAct>> factory = _ => Make<TObs, TAct>(id, options);
        return mode switch
        {
            VectorizationMode.Sync => new SyncVectorEnv<TObs, TAct>(count, factory),
            VectorizationMode.Threaded => new ThreadedVectorEnv<TObs, TAct>(count, factory),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
    }

    /// <summary>Registers the envs that ship with the core library: PointMassGoal-v0 (sparse reward) and
    /// PointMassGoalDense-v0, 50-step episodes. Settings: distance_threshold (m), image_size (pixels, 0 = none).</summary>
    public static void RegisterBuiltIns(EnvRegistry registry)
    {
        foreach (var (id, reward) in new[] { ("PointMassGoal-v0", GoalRewardType.Sparse), ("PointMassGoalDense-v0", GoalRewardType.Dense) })
        {
            registry.Register(new EnvSpec<Spaces.DictValue, float[]>(id, o =>
            {
                o.RejectUnknown(id, "distance_threshold", "image_size");
                return new PointMassGoalEnv(new PointMassGoalOptions
                {
                    RewardType = reward,
                    DistanceThreshold = o.Get("distance_threshold", 0.05),
                    ImageSize = o.Get("image_size", 0),
                    RenderMode = o.RenderMode,
                });
            })
            {
                MaxEpisodeSteps = 50,
                Description = $"3-D point mass reaching a goal ({reward} reward), FetchReach-shaped and fast",
            });
        }
    }

    /// <summary>Splits <c>[namespace/]Name[-vN]</c>; a malformed id is an error saying the expected form.</summary>
    public static (string? Namespace, string Name, int? Version) ParseId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var m = IdPattern().Match(id);
        if (!m.Success)
            throw new EnvRegistrationException($"malformed env id \"{id}\"; expected [namespace/]Name-vN, e.g. \"PointMassGoal-v0\"");
        return (m.Groups["ns"].Success ? m.Groups["ns"].Value : null, m.Groups["name"].Value,
            m.Groups["ver"].Success ? int.Parse(m.Groups["ver"].Value, System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    private static EnvOptions Merge(EnvSpec spec, EnvOptions? options)
    {
        options ??= EnvOptions.Default;
        if (spec.DefaultSettings.Count == 0)
            return options;
        var settings = new Dictionary<string, object?>(spec.DefaultSettings, StringComparer.Ordinal);
        foreach (var (k, v) in options.Settings)
            settings[k] = v;
        return options with { Settings = settings };
    }

    [GeneratedRegex(@"^(?:(?<ns>[\w:.\-]+)/)?(?<name>[\w:.\-]+?)(?:-v(?<ver>\d+))?$")]
    private static partial Regex IdPattern();
}
