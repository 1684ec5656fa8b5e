using System.Security.Cryptography;
using System.Text;

namespace RobotBridge.Recording.Messages;

/// <summary>
/// A ROS 1 message type as a bag's connection record needs it: the type name, the md5sum that
/// subscribers check, and the full definition text (the type's .msg text followed by every embedded
/// type, each after an 80-character '=' line and a "MSG: pkg/Type" line, as genmsg writes it).
/// </summary>
/// <remarks>The md5sum is computed the way genmsg does: comments and blank lines dropped, constants
/// first ("type NAME=value"), then fields ("type name"), with every non-builtin field type replaced
/// by that type's own md5sum (array brackets dropped), the lines joined with '\n'.</remarks>
public sealed class RosMessageType
{
    private RosMessageType(string name, string md5Sum, string definition)
    {
        Name = name;
        Md5Sum = md5Sum;
        Definition = definition;
    }

    /// <summary>"package/Type", e.g. "sensor_msgs/JointState".</summary>
    public string Name { get; }

    /// <summary>32 lowercase hex digits.</summary>
    public string Md5Sum { get; }

    /// <summary>The full message definition stored in the bag's connection header.</summary>
    public string Definition { get; }

    /// <summary>Builds <paramref name="name"/> from the .msg texts in <paramref name="msgTexts"/>
    /// (keyed by "package/Type"), which must hold the type and everything it embeds.</summary>
    public static RosMessageType FromDefinitions(string name, IReadOnlyDictionary<string, string> msgTexts)
    {
        var md5Cache = new Dictionary<string, string>(StringComparer.Ordinal);
        string md5 = Md5Of(name, msgTexts, md5Cache);

        var full = new StringBuilder();
        full.Append(TextOf(name, msgTexts)).Append('\n');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string dependency in AllDependencies(name, msgTexts))
        {
            if (!seen.Add(dependency))
            {
                continue;
            }
            full.Append('=', 80).Append('\n');
            full.Append("MSG: ").Append(dependency).Append('\n');
            full.Append(TextOf(dependency, msgTexts)).Append('\n');
        }
        full.Length--; // genmsg drops the last newline
        return new RosMessageType(name, md5, full.ToString());
    }

    private static string TextOf(string name, IReadOnlyDictionary<string, string> msgTexts) =>
        msgTexts.TryGetValue(name, out string? text)
            ? text
            : throw new KeyNotFoundException($"message definition for '{name}' is missing; add its .msg text");

    private static string Md5Of(string name, IReadOnlyDictionary<string, string> msgTexts, Dictionary<string, string> cache)
    {
        if (cache.TryGetValue(name, out string? cached))
        {
            return cached;
        }
        var constants = new StringBuilder();
        var fields = new StringBuilder();
        foreach (MsgLine line in Parse(name, TextOf(name, msgTexts)))
        {
            if (line.ConstantValue is { } value)
            {
                constants.Append(line.Type).Append(' ').Append(line.Name).Append('=').Append(value).Append('\n');
            }
            else if (line.ResolvedType is { } embedded)
            {
                fields.Append(Md5Of(embedded, msgTexts, cache)).Append(' ').Append(line.Name).Append('\n');
            }
            else
            {
                fields.Append(line.Type).Append(' ').Append(line.Name).Append('\n');
            }
        }
        string md5Text = (constants.ToString() + fields.ToString()).Trim();
#pragma warning disable CA5351 // ROS 1 names a message definition by its MD5 (rosbag, rospy check it); a type id, not security.
        string md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(md5Text)));
#pragma warning restore CA5351
        cache[name] = md5;
        return md5;
    }

    private static IEnumerable<string> AllDependencies(string name, IReadOnlyDictionary<string, string> msgTexts)
    {
        foreach (MsgLine line in Parse(name, TextOf(name, msgTexts)))
        {
            if (line.ResolvedType is { } embedded)
            {
                yield return embedded;
                foreach (string deeper in AllDependencies(embedded, msgTexts))
                {
                    yield return deeper;
                }
            }
        }
    }

    private static readonly HashSet<string> Builtins = new(StringComparer.Ordinal)
    {
        "bool", "byte", "char", "int8", "uint8", "int16", "uint16", "int32", "uint32",
        "int64", "uint64", "float32", "float64", "string", "time", "duration",
    };

    /// <param name="Type">The type as written, with array brackets.</param>
    /// <param name="ResolvedType">"package/Type" of an embedded message type, null for builtins.</param>
    private readonly record struct MsgLine(string Type, string Name, string? ConstantValue, string? ResolvedType);

    private static IEnumerable<MsgLine> Parse(string owner, string text)
    {
        string package = owner[..owner.IndexOf('/')];
        foreach (string raw in text.Split('\n'))
        {
            string line = raw;
            int comment = line.IndexOf('#');
            bool isStringConstant = false;
            int equals = line.IndexOf('=');
            if (equals >= 0 && (comment < 0 || equals < comment))
            {
                // "string NAME=value" keeps '#' and everything else verbatim; other constants drop comments.
                isStringConstant = line.TrimStart().StartsWith("string ", StringComparison.Ordinal);
            }
            if (comment >= 0 && !isStringConstant)
            {
                line = line[..comment];
            }
            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            int space = line.IndexOfAny([' ', '\t']);
            if (space < 0)
            {
                throw new FormatException($"{owner}: line '{raw}' is not 'type name'");
            }
            string type = line[..space];
            string rest = line[(space + 1)..].Trim();
            int eq = rest.IndexOf('=');
            if (eq >= 0)
            {
                string value = isStringConstant ? rest[(eq + 1)..].TrimStart() : rest[(eq + 1)..].Trim();
                yield return new MsgLine(type, rest[..eq].Trim(), value, null);
                continue;
            }
            string bare = type.IndexOf('[') is var bracket and >= 0 ? type[..bracket] : type;
            string? resolved = Builtins.Contains(bare) ? null
                : bare == "Header" ? "std_msgs/Header"
                : bare.Contains('/') ? bare
                : package + "/" + bare;
            yield return new MsgLine(type, rest, null, resolved);
        }
    }
}
