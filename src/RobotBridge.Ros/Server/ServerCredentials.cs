using System.Security.Cryptography;
using System.Text;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Server;

/// <summary>
/// The secrets <c>serve</c> checks rosauth <c>auth</c> ops against, one or more per role. A client
/// proves its role by sending that role's name as <c>level</c> and a MAC computed with a secret of
/// that role, so knowing the viewer secret never grants operator rights.
/// File format (one entry a line, <c>#</c> starts a comment): <c>ROLE SECRET</c>, ROLE one of
/// viewer, operator, supervisor; SECRET at least <see cref="MinimumSecretLength"/> characters
/// without spaces (rosauth's secrets are 16).
/// </summary>
public sealed class ServerCredentials
{
    public const int MinimumSecretLength = 16;

    /// <summary>rosauth's default allowed clock difference between the request's t and the server's clock.</summary>
    public static readonly TimeSpan AllowedClockDelta = TimeSpan.FromSeconds(5);

    private readonly List<(ClientRole Role, string Secret)> _entries;

    public ServerCredentials(IEnumerable<(ClientRole Role, string Secret)> entries)
    {
        _entries = [.. entries];
        if (_entries.Count == 0)
        {
            throw new ArgumentException("no credentials: give at least one role and secret");
        }
        foreach (var (role, secret) in _entries)
        {
            if (secret.Length < MinimumSecretLength || secret.Any(char.IsWhiteSpace))
            {
                throw new ArgumentException($"the {role.LevelName()} secret must be at least {MinimumSecretLength} characters without spaces");
            }
        }
    }

    /// <summary>Roles that have a secret, lowest first.</summary>
    public IEnumerable<ClientRole> Roles => _entries.Select(e => e.Role).Distinct().Order();

    /// <summary>Parses a credentials file; a bad line is an <see cref="FormatException"/> naming the file and line.</summary>
    public static ServerCredentials Parse(string text, string source)
    {
        var entries = new List<(ClientRole, string)>();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.Split('#', 2)[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2)
            {
                throw new FormatException($"{source}:{number}: expected 'ROLE SECRET', got {fields.Length} fields");
            }
            if (!ClientRoles.TryParse(fields[0], out var role))
            {
                throw new FormatException($"{source}:{number}: unknown role '{fields[0]}' (viewer, operator or supervisor)");
            }
            if (fields[1].Length < MinimumSecretLength)
            {
                throw new FormatException($"{source}:{number}: the {fields[0]} secret has {fields[1].Length} characters; at least {MinimumSecretLength} are needed");
            }
            entries.Add((role, fields[1]));
        }
        if (entries.Count == 0)
        {
            throw new FormatException($"{source}: no 'ROLE SECRET' lines");
        }
        return new ServerCredentials(entries);
    }

    /// <summary>
    /// Checks one auth op as rosauth does (MAC over secret + client + dest + rand + t.sec + level + end.sec,
    /// |t − now| under <see cref="AllowedClockDelta"/>, end after now). Returns the role, or null with the reason.
    /// </summary>
    public ClientRole? Verify(IncomingMessage auth, DateTimeOffset now, out string reason)
    {
        string mac = auth.Require("mac");
        string level = auth.Require("level");
        double tValue = RequireSeconds(auth, "t");
        double endValue = RequireSeconds(auth, "end");
        if (!ClientRoles.TryParse(level, out var role))
        {
            reason = $"auth: unknown level '{level}' (viewer, operator or supervisor)";
            return null;
        }
        double nowSeconds = now.ToUnixTimeMilliseconds() / 1000.0;
        if (Math.Abs(nowSeconds - tValue) >= AllowedClockDelta.TotalSeconds || endValue <= nowSeconds)
        {
            reason = "auth: request expired, not yet valid, or the clocks differ by more than 5 s";
            return null;
        }
        long t = (long)Math.Floor(tValue);
        long end = (long)Math.Floor(endValue);
        string client = auth.Require("client"), dest = auth.Require("dest"), rand = auth.Require("rand");
        byte[] given = Encoding.ASCII.GetBytes(mac.ToLowerInvariant());
        foreach (var (entryRole, secret) in _entries)
        {
            if (entryRole != role)
            {
                continue;
            }
            byte[] expected = Encoding.ASCII.GetBytes(RosAuthRequest.ComputeMac(secret, client, dest, rand, t, level, end));
            if (CryptographicOperations.FixedTimeEquals(given, expected))
            {
                reason = "";
                return role;
            }
        }
        reason = $"auth: MAC does not match any {level} secret";
        return null;
    }

    private static double RequireSeconds(IncomingMessage auth, string field)
    {
        if (!auth.Root.TryGetProperty(field, out var value) || value.ValueKind != System.Text.Json.JsonValueKind.Number
            || !value.TryGetDouble(out double seconds) || !double.IsFinite(seconds))
        {
            throw new RosbridgeFormatException($"auth: expected a number of seconds in '{field}'");
        }
        return seconds;
    }

    public override string ToString() => string.Join(", ", Roles.Select(r => r.LevelName()));
}
