using System.Security.Cryptography;
using System.Text;

namespace RobotBridge.Ros.Protocol;

/// <summary>
/// The fields of rosbridge's <c>auth</c> op (rosauth): a MAC over a shared secret and the session
/// parameters. <see cref="T"/> and <see cref="End"/> are seconds since the epoch.
/// </summary>
public sealed record RosAuthRequest(string Mac, string Client, string Dest, string Rand, double T, string Level, double End)
{
    /// <summary>rosauth's MAC: lowercase hex SHA-512 of secret + client + dest + rand + t.sec + level + end.sec.</summary>
    public static string ComputeMac(string secret, string client, string dest, string rand, long tSecs, string level, long endSecs)
    {
        var text = string.Concat(secret, client, dest, rand, tSecs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            level, endSecs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Builds a request valid from <paramref name="now"/> for <paramref name="lifetime"/>.</summary>
    public static RosAuthRequest Create(string secret, string client, string dest, string level, DateTimeOffset now, TimeSpan lifetime)
    {
        string rand = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        long t = now.ToUnixTimeSeconds();
        long end = (now + lifetime).ToUnixTimeSeconds();
        return new RosAuthRequest(ComputeMac(secret, client, dest, rand, t, level, end), client, dest, rand, t, level, end);
    }
}
