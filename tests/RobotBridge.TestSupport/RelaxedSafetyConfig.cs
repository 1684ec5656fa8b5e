namespace RobotBridge.TestSupport;

/// <summary>
/// The shipped safety config with only its stale-state bound loosened, written to a temporary file that
/// goes away on Dispose. Tests that run a served twin, a server and a client on two shared cores can see
/// a joint state stall past the shipped 0.2 s without anything being wrong; every other bound stays as
/// shipped, so a test never runs with a safety layer weaker than it says.
/// </summary>
public sealed class RelaxedSafetyConfig : IDisposable
{
    private const string ShippedBound = "\"stale_state_after\": 0.2";

    private RelaxedSafetyConfig(string path) => Path = path;

    /// <summary>The config file to pass as --safety-config / safety_config.</summary>
    public string Path { get; }

    /// <summary>Writes the shipped config with <c>stale_state_after</c> set to <paramref name="seconds"/>.
    /// Throws if the shipped file no longer holds the bound this replaces (the test would otherwise run
    /// silently with the shipped one).</summary>
    public static RelaxedSafetyConfig WithStaleStateAfter(double seconds)
    {
        using var shipped = typeof(RobotBridge.Safety.SafetyConfig).Assembly.GetManifestResourceStream("RobotBridge.Safety.fetch-safety.json")
            ?? throw new InvalidOperationException("the core assembly no longer embeds RobotBridge.Safety.fetch-safety.json");
        using var reader = new StreamReader(shipped);
        string json = reader.ReadToEnd();
        if (!json.Contains(ShippedBound, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the shipped safety config no longer holds {ShippedBound}; update RelaxedSafetyConfig");
        }
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"rb-relaxed-safety-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.Replace(ShippedBound,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\"stale_state_after\": {seconds}"), StringComparison.Ordinal));
        return new RelaxedSafetyConfig(path);
    }

    public void Dispose() => File.Delete(Path);
}
