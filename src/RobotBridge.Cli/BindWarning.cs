using System.Net;

namespace RobotBridge.Cli;

/// <summary>A listener beyond loopback lets every host that can route to it try the accounts and
/// commands: allowed (a robot on a lab network needs it), but never silently.</summary>
internal static class BindWarning
{
    public static bool IsLoopback(string address) => IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);

    public static void WarnIfExposed(string address, string command, string option, TextWriter stderr)
    {
        if (IsLoopback(address)) return;
        stderr.WriteLine($"{command}: warning: {option} {address} listens beyond this machine: any host that reaches it can try the MQTT accounts; " +
                         "use strong passwords and TLS, and keep it on a trusted network");
    }
}
