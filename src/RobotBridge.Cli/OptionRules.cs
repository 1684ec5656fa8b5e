using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace RobotBridge.Cli;

/// <summary>
/// Range and path rules attached to options, checked by the parser before any command runs: a bad
/// value fails with one line naming the option, what it must be and what it got (exit
/// <see cref="Program.UsageError"/>). NaN and infinities fail every numeric rule.
/// </summary>
internal static class OptionRules
{
    public static Option<int> Range(this Option<int> option, int min, int max, string? unit = null)
    {
        option.Validators.Add(r =>
        {
            if (TryValue(r, out int v)) CheckWhole(r, option.Name, v, min, max, unit);
        });
        return option;
    }

    public static Option<int?> Range(this Option<int?> option, int min, int max, string? unit = null)
    {
        option.Validators.Add(r =>
        {
            if (Value<int?>(r) is { } v) CheckWhole(r, option.Name, v, min, max, unit);
        });
        return option;
    }

    public static Option<long> Range(this Option<long> option, long min, long max, string? unit = null)
    {
        option.Validators.Add(r =>
        {
            if (TryValue(r, out long v)) CheckWhole(r, option.Name, v, min, max, unit);
        });
        return option;
    }

    /// <summary>A finite number in [min, max] (infinite bounds allowed: then only NaN and the infinities are refused beyond it).</summary>
    public static Option<double> Range(this Option<double> option, double min, double max, string? unit = null)
    {
        option.Validators.Add(r =>
        {
            if (TryValue(r, out double v)) CheckReal(r, option.Name, v, min, max, unit);
        });
        return option;
    }

    public static Option<double?> Range(this Option<double?> option, double min, double max, string? unit = null)
    {
        option.Validators.Add(r =>
        {
            if (Value<double?>(r) is { } v) CheckReal(r, option.Name, v, min, max, unit);
        });
        return option;
    }

    /// <summary>A TCP port: 1-65535, or 0 (a free one) when <paramref name="allowAny"/>.</summary>
    public static Option<int> Port(this Option<int> option, bool allowAny = false) => option.Range(allowAny ? 0 : 1, 65535);

    /// <summary>A network endpoint HOST:PORT (an IP address or a host name that resolves, port 1-65535).</summary>
    public static Option<string> Endpoint(this Option<string> option)
    {
        option.Validators.Add(r =>
        {
            string? text = Value<string>(r);
            if (text is not null && ParseEndpoint(text) is null) r.AddError($"{option.Name} must be HOST:PORT such as 127.0.0.1:30000 (a host name that resolves, port 1-65535), got '{text}'");
        });
        return option;
    }

    /// <summary>HOST:PORT as an endpoint (a host name resolved to its first IPv4 address), or null.</summary>
    public static System.Net.IPEndPoint? ParseEndpoint(string text)
    {
        if (System.Net.IPEndPoint.TryParse(text, out var ip)) return ip.Port is > 0 and <= 65535 && text.Contains(':', StringComparison.Ordinal) ? ip : null;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535) return null;
        try
        {
            var address = System.Net.Dns.GetHostAddresses(text[..colon]).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
            return address is null ? null : new System.Net.IPEndPoint(address, port);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    /// <summary>An IP address (IPv4 or IPv6), such as 127.0.0.1 or 0.0.0.0.</summary>
    public static Option<string> IpAddress(this Option<string> option)
    {
        option.Validators.Add(r =>
        {
            string? text = Value<string>(r);
            if (!System.Net.IPAddress.TryParse(text, out _)) r.AddError($"{option.Name} must be an IP address such as 127.0.0.1, got '{text}'");
        });
        return option;
    }

    /// <summary>The path of a file to create or replace: not a folder, and not under a file.</summary>
    public static Option<T> OutputFile<T>(this Option<T> option)
    {
        option.Validators.Add(r =>
        {
            if (PathOf(Value<T>(r)) is { } path && OutputFileProblem(path) is { } problem) r.AddError($"{option.Name}: {problem}");
        });
        return option;
    }

    /// <summary>The path of a folder to create or write into: not a file, and not under a file.</summary>
    public static Option<T> OutputDirectory<T>(this Option<T> option)
    {
        option.Validators.Add(r =>
        {
            if (PathOf(Value<T>(r)) is { } path && OutputDirectoryProblem(path) is { } problem) r.AddError($"{option.Name}: {problem}");
        });
        return option;
    }

    /// <summary>An existing regular file to read (not a folder, not a device such as /dev/zero).</summary>
    public static Option<T> InputFile<T>(this Option<T> option)
    {
        option.Validators.Add(r =>
        {
            if (PathOf(Value<T>(r)) is { } path && InputFileProblem(path) is { } problem) r.AddError($"{option.Name}: {problem}");
        });
        return option;
    }

    /// <summary>An existing regular file to read, for a positional argument.</summary>
    public static Argument<string> InputFile(this Argument<string> argument)
    {
        argument.Validators.Add(r =>
        {
            if (Value<string>(r) is { } path && InputFileProblem(path) is { } problem) r.AddError($"{argument.Name}: {problem}");
        });
        return argument;
    }

    public static string? OutputFileProblem(string path)
    {
        if (Directory.Exists(path)) return $"'{path}' is a folder; give a file path";
        return AncestorFile(path) is { } file ? $"'{path}' is under '{file}', which is a file, not a folder" : null;
    }

    public static string? OutputDirectoryProblem(string path)
    {
        if (File.Exists(path)) return $"'{path}' is a file; give a folder";
        return AncestorFile(path) is { } file ? $"'{path}' is under '{file}', which is a file, not a folder" : null;
    }

    public static string? InputFileProblem(string path)
    {
        if (Directory.Exists(path)) return $"'{path}' is a folder; give a file";
        if (!File.Exists(path)) return $"'{path}' does not exist";
        // stat, not open: a FIFO would block the open. Devices (/dev/zero, /dev/null) and FIFOs report
        // length 0, and no file this tool reads may be empty, so length 0 refuses all of them.
        return new FileInfo(path).Length == 0 ? $"'{path}' is empty or not a regular file" : null;
    }

    /// <summary>The nearest existing ancestor of <paramref name="path"/> if it is a file (then nothing can be created under it).</summary>
    private static string? AncestorFile(string path)
    {
        for (string? dir = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir)) return dir;
            if (Directory.Exists(dir)) return null;
        }
        return null;
    }

    /// <summary>The converted value, or default when the token could not be converted: the parser
    /// reports that itself ("Cannot parse argument 'abc' for option '--steps'"), and a rule must not
    /// throw on it (it would surface as an unhandled exception from Parse).</summary>
    private static T? Value<T>(SymbolResult r) => TryValue(r, out T? value) ? value : default;

    private static bool TryValue<T>(SymbolResult r, out T? value)
    {
        try
        {
            value = r switch
            {
                OptionResult o => o.GetValueOrDefault<T>(),
                ArgumentResult a => a.GetValueOrDefault<T>(),
                _ => default,
            };
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    private static string? PathOf<T>(T value) => value switch
    {
        string s => s,
        FileSystemInfo f => f.FullName,
        _ => null,
    };

    private static void CheckWhole(OptionResult r, string name, long v, long min, long max, string? unit)
    {
        if (v < min || v > max) r.AddError($"{name} must be {Describe(min, max, unit)}, got {v.ToString(CultureInfo.InvariantCulture)}");
    }

    private static void CheckReal(OptionResult r, string name, double v, double min, double max, string? unit)
    {
        if (!double.IsFinite(v) || v < min || v > max)
            r.AddError($"{name} must be a finite number {Describe(min, max, unit)}, got {v.ToString(CultureInfo.InvariantCulture)}");
    }

    private static string Describe(double min, double max, string? unit)
    {
        string u = unit is null ? "" : " " + unit;
        string F(double x) => x.ToString(CultureInfo.InvariantCulture);
        if (double.IsInfinity(max) || max is int.MaxValue or long.MaxValue) return $"≥ {F(min)}{u}";
        if (double.IsInfinity(min) || min is int.MinValue or long.MinValue) return $"≤ {F(max)}{u}";
        return $"between {F(min)} and {F(max)}{u}";
    }
}
