using System.Collections.Frozen;
using System.Reflection;

namespace RobotBridge.Teleop.Web;

/// <summary>
/// The page's files, read once from this assembly's resources (the <c>wwwroot</c> folder and the
/// MQTT.js bundle copied from npm at build time). Nothing is loaded from disk or from another host.
/// </summary>
internal sealed class WebConsoleAssets
{
    private const string Prefix = "wwwroot/";

    private readonly FrozenDictionary<string, Asset> _assets;

    private WebConsoleAssets(FrozenDictionary<string, Asset> assets) => _assets = assets;

    public static WebConsoleAssets Load()
    {
        var assembly = typeof(WebConsoleAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            assets["/" + name[Prefix.Length..]] = new Asset(Read(assembly, name), ContentType(name));
        }
        foreach (string required in new[] { "/index.html", "/console.js", "/console.css", "/vendor/mqtt.min.js" })
        {
            if (!assets.ContainsKey(required))
            {
                throw new InvalidOperationException($"web console asset '{required}' is missing from {assembly.GetName().Name} (was the npm bundle built?)");
            }
        }
        assets["/"] = assets["/index.html"];
        return new WebConsoleAssets(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public IEnumerable<string> Paths => _assets.Keys;

    public bool TryGet(string path, out Asset asset) => _assets.TryGetValue(path, out asset!);

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".png" => "image/png",
        ".svg" => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    };

    internal sealed record Asset(byte[] Content, string ContentType);
}
