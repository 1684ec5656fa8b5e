using System.CommandLine;
using System.Globalization;
using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Recording;
using RobotBridge.Recording.Bag;
using RobotBridge.Recording.Replay;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// `robotbridge replay BAG`: plays the actions of recorded episodes back on the twin (the task named
/// in each episode's begin event, reset with the recorded seed) and reports how far the replayed
/// observations diverge from the recorded ones.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>Exit code for a bag that cannot be read or names a task the registry does not know.</summary>
    public const int InputError = 1;

    /// <summary>Exit code when <c>--max-divergence</c> is exceeded.</summary>
    public const int Diverged = 3;

    public static Command Create()
    {
        var bag = new Argument<string>("BAG") { Description = "Episode bag written by EpisodeRecorder (deploy, teleop, eval)" }.InputFile();
        var episode = new Option<int?>("--episode") { Description = "Replay only this episode index (default: all)" }.Range(0, int.MaxValue);
        var every = new Option<int>("--every") { Description = "Print every Nth step of the divergence table", DefaultValueFactory = _ => 1 }.Range(1, 1_000_000);
        var maxDivergence = new Option<double?>("--max-divergence")
        {
            Description = "Fail (exit 3) when the achieved-goal divergence exceeds this many metres",
        }.Range(0, double.PositiveInfinity, "m");
        var envOptions = new Option<string[]>("--env-option")
        {
            Description = "Extra env setting key=value passed to the task (repeatable), e.g. --env-option camera=false",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("replay",
            "Replay a recorded episode's actions on the twin and report the divergence between recorded and replayed observations.\n" +
            "Example: robotbridge replay episodes/deploy-0.bag --every 10 --max-divergence 0.05");
        command.Arguments.Add(bag);
        command.Options.Add(episode);
        command.Options.Add(every);
        command.Options.Add(maxDivergence);
        command.Options.Add(envOptions);
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            string path = parse.GetValue(bag)!;
            return Run(path, parse.GetValue(episode), parse.GetValue(every), parse.GetValue(maxDivergence),
                parse.GetValue(envOptions) ?? [], output, error);
        });
        return command;
    }

    /// <summary>Deploy runs every episode behind the safety supervisor (which clamps commands), so its
    /// episodes replay behind one too unless <c>--env-option safety=…</c> says otherwise.</summary>
    private static EnvOptions ReplayOptions(EnvOptions options, EpisodeInfo episode) =>
        episode.Source == EpisodeSource.Deploy && !options.Settings.ContainsKey("safety") ? options.With("safety", true) : options;

    private static int Run(string path, int? only, int every, double? maxDivergence, string[] envSettings,
        TextWriter output, TextWriter error)
    {
        if (!File.Exists(path))
        {
            error.WriteLine($"robotbridge replay: no such file '{path}'");
            return InputError;
        }
        IReadOnlyList<RecordedEpisode> episodes;
        EnvOptions options;
        try
        {
            CliEnvironments.EnsureRegistered(); // the Fetch tasks on the twin
            episodes = EpisodeBagReader.Read(path);
            options = EnvOptions.Parse(envSettings) with
            {
                MaxEpisodeSteps = 0, // the recording decides how long the episode is, not the TimeLimit
            };
        }
        catch (Exception e) when (e is BagFormatException or FormatException or IOException or InvalidEnvArgumentException)
        {
            error.WriteLine($"robotbridge replay: {e.Message}");
            return InputError;
        }
        if (!episodes.Any(e => only is null || e.Info.Index == only))
        {
            error.WriteLine(episodes.Count == 0
                ? $"robotbridge replay: '{path}' holds no episode (no 'begin' event on {EpisodeTopics.Events})"
                : $"robotbridge replay: '{path}' has no episode {only}; it has {string.Join(", ", episodes.Select(e => e.Info.Index))}");
            return InputError;
        }

        // Episodes after the first of a run are reset without a seed (the env's generator continues),
        // so every episode of the bag is replayed in order on one env per task, and the selected ones
        // are reported.
        bool diverged = false;
        var envs = new Dictionary<string, IEnv<DictValue, float[]>>(StringComparer.Ordinal);
        try
        {
            foreach (RecordedEpisode recorded in episodes)
            {
                if (only is not null && recorded.Info.Index > only)
                {
                    break;
                }
                ReplayReport report;
                try
                {
                    if (!envs.TryGetValue(recorded.Info.Task, out var env))
                    {
                        env = GymEnvs.Make<DictValue, float[]>(recorded.Info.Task, ReplayOptions(options, recorded.Info));
                        envs[recorded.Info.Task] = env;
                    }
                    report = EpisodeReplayer.Replay(env, recorded);
                }
                catch (Exception e) when (e is ArgumentException or InvalidEnvArgumentException or EnvRegistrationException or InvalidCastException)
                {
                    error.WriteLine($"robotbridge replay: episode {recorded.Info.Index} ({recorded.Info.Task}): {e.Message}");
                    return InputError;
                }
                if (only is not null && recorded.Info.Index != only)
                {
                    continue;
                }
                output.Write(report.ToText(every));
                if (maxDivergence is { } limit && report.MaxAchievedGoal > limit)
                {
                    diverged = true;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"DIVERGED: achieved_goal divergence {report.MaxAchievedGoal:G4} m exceeds {limit:G4} m (first at step {report.FirstStepBeyond(limit)})"));
                }
            }
        }
        finally
        {
            foreach (var env in envs.Values)
            {
                env.Dispose();
            }
        }
        return diverged ? Diverged : 0;
    }
}
