using System.Text.Json;
using RobotBridge.Tests.Recording;

namespace RobotBridge.Tests.Launch;

/// <summary>
/// A ROS 1 launch file as Debian's roslaunch parses it, without running anything: nodes (name,
/// package, type, args, remaps) and parameters, from roslaunch's own loader
/// (<c>roslaunch.config.load_config_default</c>). Works although the nodes' packages are absent.
/// </summary>
internal sealed record LaunchConfig(IReadOnlyList<LaunchConfig.Node> Nodes, JsonElement Params)
{
    public sealed record Node(string Name, string Package, string Type, string Args, IReadOnlyList<(string From, string To)> Remaps, bool Respawn);

    private const string Loader = """
        import sys, json
        import roslaunch.config
        # arg:=value mappings are read from sys.argv by the loader, as on the roslaunch command line
        config = roslaunch.config.load_config_default([sys.argv[1]], None, verbose=False)
        nodes = [{'name': n.namespace + n.name, 'package': n.package, 'type': n.type, 'args': n.args,
                  'remaps': [[a, b] for a, b in n.remap_args], 'respawn': n.respawn} for n in config.nodes]
        params = {k: p.value for k, p in config.params.items()}
        print(json.dumps({'nodes': nodes, 'params': params}, default=str))
        """;

    public static string RepositoryFile(string relative) => Path.Combine(RepoPaths.Root, relative);

    public static LaunchConfig Load(string file, IReadOnlyDictionary<string, string>? environment = null, params string[] args)
    {
        var result = RosTool.Run(RosTool.Python, ["-c", Loader, file, .. args], environment: environment)
            .EnsureSuccess($"roslaunch loader on {file}");
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        var nodes = root.GetProperty("nodes").EnumerateArray().Select(n => new Node(
            n.GetProperty("name").GetString()!, n.GetProperty("package").GetString()!, n.GetProperty("type").GetString()!,
            n.GetProperty("args").GetString()!,
            n.GetProperty("remaps").EnumerateArray().Select(r => (r[0].GetString()!, r[1].GetString()!)).ToList(),
            n.GetProperty("respawn").GetBoolean())).ToList();
        return new LaunchConfig(nodes, root.GetProperty("params").Clone());
    }

    public Node NodeNamed(string name) =>
        Nodes.SingleOrDefault(n => n.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"no node {name}; nodes: {string.Join(", ", Nodes.Select(n => n.Name))}");

    public JsonElement Param(string name) =>
        Params.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new Xunit.Sdk.XunitException($"no param {name}");
}
