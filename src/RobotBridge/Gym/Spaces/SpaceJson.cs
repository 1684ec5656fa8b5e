using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RobotBridge.Gym.Spaces;

/// <summary>
/// JSON form of spaces. Every space is an object with <c>"type"</c> (a <see cref="SpaceKind"/> name):
/// <code>
/// {"type":"Box","shape":[84,84,3],"dtype":"uint8","low":0,"high":255}
/// {"type":"Box","shape":[3],"dtype":"float64","low":"-inf","high":[1,2,"inf"]}
/// {"type":"Discrete","n":4,"start":0}
/// {"type":"MultiDiscrete","nvec":[3,2],"start":[0,0]}
/// {"type":"MultiBinary","shape":[5]}
/// {"type":"Dict","spaces":{"observation":{...},"desired_goal":{...}}}   (key order is meaningful)
/// {"type":"Tuple","spaces":[{...},{...}]}
/// </code>
/// Box bounds are one number when every element shares it, else a flat row-major array;
/// infinities are the strings "inf" and "-inf" (JSON has no infinity).
/// </summary>
public static class SpaceJson
{
    public static Space Parse(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"space JSON is not valid JSON: {e.Message}", e);
        }
        return FromNode(node, "$");
    }

    public static Space FromNode(JsonNode? node, string path = "$")
    {
        if (node is not JsonObject obj)
            throw new FormatException($"{path}: a space must be a JSON object with a \"type\"");
        string type = Str(obj, "type", path);
        return type switch
        {
            "Box" => ParseBox(obj, path),
            "Discrete" => new Discrete(Int(obj["n"], path + ".n"), obj["start"] is null ? 0 : Int(obj["start"], path + ".start")),
            "MultiDiscrete" => new MultiDiscrete(IntArray(obj["nvec"], path + ".nvec"), obj["start"] is null ? null : IntArray(obj["start"], path + ".start")),
            "MultiBinary" => new MultiBinary(IntArray(obj["shape"], path + ".shape")),
            "Dict" => new DictSpace([.. Obj(obj["spaces"], path + ".spaces").Select(kv => (kv.Key, FromNode(kv.Value, $"{path}.spaces.{kv.Key}")))]),
            "Tuple" => new TupleSpace([.. Arr(obj["spaces"], path + ".spaces").Select((n, i) => FromNode(n, $"{path}.spaces[{i}]"))]),
            _ => throw new FormatException($"{path}.type: unknown space type \"{type}\"; expected one of {string.Join(", ", Enum.GetNames<SpaceKind>())}"),
        };
    }

    internal static JsonArray Ints(ReadOnlySpan<int> values)
    {
        var a = new JsonArray();
        foreach (int v in values)
            a.Add(v);
        return a;
    }

    internal static JsonNode Bounds<T>(ReadOnlySpan<T> values) where T : unmanaged, INumber<T>
    {
        bool uniform = true;
        for (int i = 1; i < values.Length && uniform; i++)
            uniform = values[i] == values[0];
        if (uniform)
            return Number(double.CreateChecked(values[0]));
        var a = new JsonArray();
        foreach (T v in values)
            a.Add(Number(double.CreateChecked(v)));
        return a;
    }

    private static JsonValue Number(double v) =>
        double.IsPositiveInfinity(v) ? JsonValue.Create("inf")
        : double.IsNegativeInfinity(v) ? JsonValue.Create("-inf")
        : JsonValue.Create(v);

    private static Space ParseBox(JsonObject obj, string path)
    {
        int[] shape = IntArray(obj["shape"], path + ".shape");
        DType dtype = DTypes.Parse(Str(obj, "dtype", path));
        int size = Box<double>.ShapeSize(shape);
        double[] low = BoundArray(obj["low"], size, path + ".low");
        double[] high = BoundArray(obj["high"], size, path + ".high");
        try
        {
            return dtype switch
            {
                DType.Float32 => new Box<float>([.. low.Select(x => (float)x)], [.. high.Select(x => (float)x)], shape),
                DType.Float64 => new Box<double>(low, high, shape),
                _ => new Box<byte>([.. low.Select(x => checked((byte)x))], [.. high.Select(x => checked((byte)x))], shape),
            };
        }
        catch (OverflowException)
        {
            throw new FormatException($"{path}: uint8 Box bounds must lie in [0, 255]");
        }
    }

    private static double[] BoundArray(JsonNode? node, int size, string path)
    {
        if (node is JsonArray a)
        {
            if (a.Count != size)
                throw new FormatException($"{path}: has {a.Count} elements, the shape needs {size}");
            return [.. a.Select((n, i) => Bound(n, $"{path}[{i}]"))];
        }
        var all = new double[size];
        Array.Fill(all, Bound(node, path));
        return all;
    }

    private static double Bound(JsonNode? node, string path)
    {
        if (node is JsonValue v)
        {
            if (v.TryGetValue(out string? s))
                return s switch
                {
                    "inf" or "+inf" or "Infinity" => double.PositiveInfinity,
                    "-inf" or "-Infinity" => double.NegativeInfinity,
                    _ => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
                        : throw new FormatException($"{path}: \"{s}\" is not a number"),
                };
            if (v.TryGetValue(out double x))
                return x;
        }
        throw new FormatException($"{path}: expected a number, \"inf\" or \"-inf\"");
    }

    private static string Str(JsonObject obj, string key, string path) =>
        obj[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new FormatException($"{path}.{key}: expected a string");

    private static int Int(JsonNode? node, string path) =>
        node is JsonValue v && v.TryGetValue(out int i) ? i : throw new FormatException($"{path}: expected an integer");

    private static int[] IntArray(JsonNode? node, string path) =>
        [.. Arr(node, path).Select((n, i) => Int(n, $"{path}[{i}]"))];

    private static JsonArray Arr(JsonNode? node, string path) =>
        node as JsonArray ?? throw new FormatException($"{path}: expected an array");

    private static JsonObject Obj(JsonNode? node, string path) =>
        node as JsonObject ?? throw new FormatException($"{path}: expected an object");
}
