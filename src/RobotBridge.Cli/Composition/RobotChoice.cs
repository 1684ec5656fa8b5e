using System.Diagnostics.CodeAnalysis;
using RobotBridge.Gym.Registration;
using RobotBridge.Sim.Tasks;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Composition;

/// <summary>
/// The <c>--robot</c> values of <c>eval</c> and <c>bench tasks</c>, so one command compares the same
/// seeded episodes on the bare twin, the supervised twin and a rosbridge robot: <c>bare</c> (the twin
/// with no supervisor, latency or joint noise), <c>sim</c> (the twin behind the safety supervisor, as
/// <c>deploy --robot sim</c> runs it; the deployable family's measured latency and noise stay on), or a
/// <c>ws://</c>/<c>wss://</c> URL (a Fetch or <c>robotbridge serve</c>; always supervised).
/// </summary>
internal static class RobotChoice
{
    public const string Bare = "bare";
    public const string Sim = "sim";

    /// <summary>The env options <paramref name="robot"/> stands for, overlaid on <see cref="EnvOptions.Default"/>.</summary>
    public static bool TryParse(string robot, [NotNullWhen(true)] out EnvOptions? options, [NotNullWhen(false)] out string? problem) =>
        TryApply(robot, EnvOptions.Default, out options, out problem);

    /// <summary>The env options <paramref name="robot"/> stands for, overlaid on <paramref name="baseOptions"/>
    /// (a policy's training options).</summary>
    public static bool TryApply(string robot, EnvOptions baseOptions, [NotNullWhen(true)] out EnvOptions? options, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        options = null;
        problem = null;
        string value = robot?.Trim() ?? "";
        if (string.Equals(value, Bare, StringComparison.OrdinalIgnoreCase))
        {
            options = baseOptions.With(FetchEnvs.RobotOption, SimFetchBodyProvider.Name).With(SimFetchBodyProvider.SafetyOption, false)
                .With(FetchEnvs.LatencyOption, "none").With(FetchEnvs.JointNoiseOption, 0.0);
            return true;
        }
        if (string.Equals(value, Sim, StringComparison.OrdinalIgnoreCase))
        {
            options = baseOptions.With(FetchEnvs.RobotOption, SimFetchBodyProvider.Name).With(SimFetchBodyProvider.SafetyOption, true);
            return true;
        }
        if (Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && uri.Scheme is "ws" or "wss" && uri.Host.Length > 0)
        {
            // A rosbridge body is always supervised; it reads none of the twin's options.
            options = baseOptions.With(FetchEnvs.RobotOption, value);
            return true;
        }
        problem = $"--robot \"{robot}\" is not one of: bare, sim, or a rosbridge URL such as ws://localhost:9090";
        return false;
    }

    /// <summary>The <c>--env-option KEY=VALUE</c> settings laid on top of each <c>--robot</c>'s options.</summary>
    public static bool TryParseOverlay(string[] settings, [NotNullWhen(true)] out EnvOptions? overlay, [NotNullWhen(false)] out string? problem)
    {
        try
        {
            overlay = EnvOptions.Parse(settings);
            problem = null;
            return true;
        }
        catch (RobotBridge.Gym.InvalidEnvArgumentException e)
        {
            overlay = null;
            problem = e.Message;
            return false;
        }
    }
}
