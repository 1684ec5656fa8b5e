namespace RobotBridge.Ros.Server;

/// <summary>
/// What an authenticated client may do on <c>serve</c>. Each role includes the ones below it.
/// The role is the rosauth <c>level</c> the client sent, proven by a MAC over that role's secret.
/// </summary>
public enum ClientRole
{
    /// <summary>Subscribes and calls the server's read-only services; may engage (never release) the runstop.</summary>
    Viewer,

    /// <summary>Also commands motion (command topics, trajectory and gripper goals, client services);
    /// may release only a runstop it engaged itself or whose engaging client has gone.</summary>
    Operator,

    /// <summary>Also releases any runstop.</summary>
    Supervisor,
}

public static class ClientRoles
{
    /// <summary>The rosauth level that names each role.</summary>
    public static string LevelName(this ClientRole role) => role switch
    {
        ClientRole.Viewer => "viewer",
        ClientRole.Operator => "operator",
        ClientRole.Supervisor => "supervisor",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static bool TryParse(string level, out ClientRole role)
    {
        foreach (var candidate in Enum.GetValues<ClientRole>())
        {
            if (string.Equals(candidate.LevelName(), level, StringComparison.Ordinal))
            {
                role = candidate;
                return true;
            }
        }
        role = default;
        return false;
    }
}
