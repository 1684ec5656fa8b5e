namespace RobotBridge.Recording;

/// <summary>What kind of run produced an episode.</summary>
public enum EpisodeSource
{
    Deploy,
    Teleop,
    Eval,
    Train,
    Replay,
}

/// <summary>Describes an episode at its start; written as the "begin" event so a replay can reset
/// the same task with the same seed.</summary>
/// <param name="Task">Task / env id, e.g. "FetchReach".</param>
/// <param name="Robot">Which body ran it: "twin" or "fetch".</param>
/// <param name="ControlPeriod">Period of the control loop.</param>
public sealed record EpisodeInfo(EpisodeSource Source, string Task, int Index, int? Seed, string Robot, TimeSpan ControlPeriod)
{
    /// <summary>"begin source=deploy task=FetchReach episode=0 seed=3 robot=twin period_s=0.04".</summary>
    public string ToEventText()
    {
        RequireToken(Task, nameof(Task));
        RequireToken(Robot, nameof(Robot));
        var text = $"begin source={Source.ToString().ToLowerInvariant()} task={Task} episode={Index}";
        if (Seed is { } seed)
        {
            text += $" seed={seed}";
        }
        return text + $" robot={Robot} period_s={ControlPeriod.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static void RequireToken(string value, string name)
    {
        if (string.IsNullOrEmpty(value) || value.Any(c => char.IsWhiteSpace(c) || c == '='))
        {
            throw new ArgumentException($"episode {name} '{value}' must be one word without '=' (it is written as {name.ToLowerInvariant()}=value)");
        }
    }

    /// <summary>Parses <see cref="ToEventText"/>'s output; throws <see cref="FormatException"/> naming the bad part.</summary>
    public static EpisodeInfo Parse(string text)
    {
        var fields = EventFields.Parse(text, "begin");
        string Get(string key) => fields.TryGetValue(key, out string? value)
            ? value
            : throw new FormatException($"episode begin event '{text}' has no {key}=");
        if (!Enum.TryParse(Get("source"), ignoreCase: true, out EpisodeSource source))
        {
            throw new FormatException($"episode begin event '{text}': unknown source '{Get("source")}'");
        }
        int? seed = fields.TryGetValue("seed", out string? s) ? EventFields.Int(s, "seed", text) : null;
        return new EpisodeInfo(source, Get("task"), EventFields.Int(Get("episode"), "episode", text), seed, Get("robot"),
            TimeSpan.FromSeconds(EventFields.Double(Get("period_s"), "period_s", text)));
    }
}

/// <summary>Parses the "verb key=value key=value" text of <see cref="EpisodeTopics.Events"/>.</summary>
public static class EventFields
{
    public static Dictionary<string, string> Parse(string text, string verb)
    {
        string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] != verb)
        {
            throw new FormatException($"episode event '{text}' does not start with '{verb}'");
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in parts.Skip(1))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"episode event '{text}': '{part}' is not key=value");
            }
            fields[part[..eq]] = part[(eq + 1)..];
        }
        return fields;
    }

    public static int Int(string value, string key, string text) =>
        int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int result)
            ? result
            : throw new FormatException($"episode event '{text}': {key}='{value}' is not an integer");

    public static double Double(string value, string key, string text) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double result)
            ? result
            : throw new FormatException($"episode event '{text}': {key}='{value}' is not a number");
}
