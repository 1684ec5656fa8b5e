namespace RobotBridge.Teleop.Brokers;

/// <summary>
/// Reads broker accounts from a text file, one per line: <c>name:password:role</c> with role
/// <c>robot</c>, <c>operator</c> or <c>observer</c>; blank lines and lines starting with <c>#</c> are skipped.
/// Keep the file readable by its owner only: it holds passwords.
/// </summary>
public static class TeleopUserFile
{
    public static IReadOnlyList<TeleopUser> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"user file {path} does not exist (lines of name:password:role)", path);
        }
        return Parse(File.ReadAllLines(path), path);
    }

    public static IReadOnlyList<TeleopUser> Parse(IEnumerable<string> lines, string source)
    {
        var users = new List<TeleopUser>();
        int number = 0;
        foreach (string raw in lines)
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            string[] parts = line.Split(':');
            if (parts.Length != 3)
            {
                throw new FormatException($"{source} line {number}: expected name:password:role, got {parts.Length} field(s)");
            }
            TeleopRole role = parts[2].Trim().ToLowerInvariant() switch
            {
                "robot" => TeleopRole.Robot,
                "operator" => TeleopRole.Operator,
                "observer" => TeleopRole.Observer,
                var other => throw new FormatException($"{source} line {number}: role '{other}' is not robot, operator or observer"),
            };
            users.Add(new TeleopUser(parts[0].Trim(), parts[1], role));
        }
        return users;
    }
}
