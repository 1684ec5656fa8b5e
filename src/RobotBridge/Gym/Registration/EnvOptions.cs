using System.Globalization;

namespace RobotBridge.Gym.Registration;

/// <summary>
/// What <see cref="EnvRegistry.Make"/> passes to an env factory: the render mode, and free-form
/// settings such as <c>robot = "sim"</c>, <c>rosbridge = "ws://fetch:9090"</c> or
/// <c>reward_type = "dense"</c>. Settings given to Make override the spec's defaults key by key.
/// </summary>
public sealed record EnvOptions
{
    public static EnvOptions Default { get; } = new();

    /// <summary>Env-specific settings (Gymnasium's make(**kwargs)); keys are ordinal, case-sensitive.</summary>
    public IReadOnlyDictionary<string, object?> Settings { get; init; } = new Dictionary<string, object?>();

    public RenderMode RenderMode { get; init; } = RenderMode.None;

    /// <summary>Overrides the spec's episode step limit; 0 or less removes the TimeLimit wrapper.</summary>
    public int? MaxEpisodeSteps { get; init; }

    /// <summary>Skip the passive checks Make wraps around a new env (first reset/step in spaces).</summary>
    public bool DisableEnvChecker { get; init; }

    /// <summary>False to skip the order-enforcing wrapper (Step before Reset becomes undefined behaviour).</summary>
    public bool OrderEnforce { get; init; } = true;

    /// <summary>A copy with one setting added or replaced.</summary>
    public EnvOptions With(string key, object? value)
    {
        var settings = new Dictionary<string, object?>(Settings, StringComparer.Ordinal) { [key] = value };
        return this with { Settings = settings };
    }

    /// <summary>The settings key that sets <see cref="MaxEpisodeSteps"/> in <see cref="Of"/> and
    /// <see cref="Parse"/> (Gymnasium's <c>make(id, max_episode_steps=N)</c>), so a policy file or a command
    /// line can carry the episode length with the other settings.</summary>
    public const string MaxEpisodeStepsKey = "max_episode_steps";

    /// <summary>Settings from string keys and values (a policy file's, a training request's).</summary>
    public static EnvOptions Of(IEnumerable<KeyValuePair<string, string>>? settings)
    {
        var options = new EnvOptions();
        var rest = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in settings ?? [])
        {
            if (key == MaxEpisodeStepsKey)
            {
                options = options with { MaxEpisodeSteps = ParseStepLimit(value) };
            }
            else
            {
                rest[key] = value;
            }
        }
        return options with { Settings = rest };
    }

    /// <summary>Settings from <c>key=value</c> pairs (command lines, config files).</summary>
    public static EnvOptions Parse(IEnumerable<string> pairs)
    {
        var settings = new List<KeyValuePair<string, string>>();
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0)
                throw new InvalidEnvArgumentException($"env option \"{pair}\" is not of the form key=value");
            settings.Add(new(pair[..eq], pair[(eq + 1)..]));
        }
        return Of(settings);
    }

    private static int ParseStepLimit(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int steps)
            ? steps
            : throw new InvalidEnvArgumentException($"env option \"{MaxEpisodeStepsKey}\" = \"{value}\" is not a whole number of steps (0 or less: no limit)");

    /// <summary>The setting <paramref name="key"/> converted to <typeparamref name="T"/>, or
    /// <paramref name="fallback"/> when absent. Strings convert to numbers, bools and enums
    /// (so command-line values work); a value that does not convert is an error naming the key.</summary>
    public T Get<T>(string key, T fallback)
    {
        if (!Settings.TryGetValue(key, out object? raw) || raw is null)
            return fallback;
        if (raw is T t)
            return t;
        try
        {
            var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            if (target.IsEnum)
                return (T)Enum.Parse(target, Convert.ToString(raw, CultureInfo.InvariantCulture)!, ignoreCase: true);
            return (T)Convert.ChangeType(raw, target, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            throw new InvalidEnvArgumentException($"env option \"{key}\" = \"{raw}\" is not a valid {typeof(T).Name}");
        }
    }

    /// <summary>Throws naming any setting not in <paramref name="known"/> (catches typos in option names).</summary>
    public void RejectUnknown(string envId, params string[] known)
    {
        var unknown = Settings.Keys.Where(k => Array.IndexOf(known, k) < 0).ToList();
        if (unknown.Count > 0)
            throw new InvalidEnvArgumentException(
                $"{envId} does not take option(s) {string.Join(", ", unknown)}; it takes: {(known.Length == 0 ? "none" : string.Join(", ", known))}");
    }
}
