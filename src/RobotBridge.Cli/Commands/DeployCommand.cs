using System.CommandLine;
using System.Globalization;
using RobotBridge.Cli.Composition;
using RobotBridge.Recording;
using RobotBridge.Safety;
using RobotBridge.Tasks;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Deployment;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// `robotbridge deploy POLICY --robot sim|ws://HOST:9090`: runs a trained policy on the task env of
/// the chosen body (its control loop and safety supervisor underneath), printing per-step timing.
/// Refuses a policy whose spaces differ from the env's before anything moves.
/// </summary>
internal static class DeployCommand
{
    public const int InputError = 1;

    /// <summary>Exit code when a safety stop ended the run.</summary>
    public const int SafetyStop = 3;

    public static Command Create()
    {
        var policyPath = new Argument<string>("POLICY") { Description = "Policy file written by robotbridge train" }.InputFile();
        var robot = new Option<string>("--robot") { Description = "sim (the MuJoCo twin) or a rosbridge URL such as ws://fetch:9090", DefaultValueFactory = _ => "sim" };
        var env = new Option<string?>("--env") { Description = "Task env id (default: the env the policy was trained on)" };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to run", DefaultValueFactory = _ => 1 }.Range(1, 1_000_000);
        var seed = new Option<int>("--seed") { Description = "Seed of the first reset (goal sampling)", DefaultValueFactory = _ => 1 };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the summary, not every step" };
        var record = new Option<string?>("--record") { Description = "Record every episode to this ROS bag (rosbag info / robotbridge replay read it); an existing file is replaced only with --force" }.OutputFile();
        var force = new Option<bool>("--force") { Description = "Replace an existing --record bag" };
        var mqttUsers = new Option<FileInfo?>("--mqtt-users") { Description = "Put the robot on the MQTT teleop channel with these accounts (user file of robotbridge teleop serve): any client may trip the e-stop, an operator must reset it before motion" }.InputFile();
        var mqttPort = new Option<int>("--mqtt-port") { Description = "MQTT port (embedded broker on loopback, or the external broker's)", DefaultValueFactory = _ => 1883 };
        var mqttExternal = new Option<string?>("--mqtt-external") { Description = "Use this external broker host (e.g. mosquitto) instead of the embedded one" };
        mqttPort.Port();
        var webPort = new Option<int?>("--web-port") { Description = "With --mqtt-users: also serve the browser operator console (page + MQTT over WebSocket on the embedded broker) on this port" }.Range(0, 65535);
        var safetyConfig = new Option<FileInfo?>("--safety-config") { Description = "Safety JSON for the supervisor (workspace, speed caps…); default the shipped fetch-safety.json" }.InputFile();
        var cameraTopic = new Option<string?>("--camera-topic") { Description = "Camera tasks over rosbridge: the image topic to read (default /head_camera/rgb/image_throttled, which launch/head_camera.launch and robotbridge serve publish; /head_camera/rgb/image_raw on a robot without those launch files)" };
        var operatorWait = new Option<double>("--operator-wait") { Description = "Seconds to wait for an operator to reset the e-stop, before the first episode and after every safety stop (then the run goes on with the next episode)", DefaultValueFactory = _ => 120 }.Range(0, 86_400, "s");
        var command = new Command("deploy",
            "Run a trained policy on the twin or a real Fetch, behind the safety supervisor, with per-step timing.\n" +
            "Examples: robotbridge deploy runs/FetchReach-v4-sac-her/policy.rbpolicy --robot sim\n" +
            "          robotbridge deploy policy.rbpolicy --robot ws://fetch:9090 --episodes 3 --mqtt-users users.txt");
        command.Arguments.Add(policyPath);
        foreach (var o in new Option[] { robot, env, episodes, seed, quiet, record, force, mqttUsers, mqttPort, mqttExternal, operatorWait, safetyConfig, cameraTopic, webPort }) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output, stderr = parse.InvocationConfiguration.Error;
            if (parse.GetValue(record) is { } bag && File.Exists(bag) && !parse.GetValue(force))
            {
                throw new CliUsageException($"--record '{bag}' already exists; give another path, or --force to replace it");
            }
            try
            {
                CliEnvironments.EnsureRegistered();
                using var policy = PolicyFile.Load(parse.GetValue(policyPath)!, warning => stderr.WriteLine($"robotbridge deploy: warning: {warning}"));
                string envId = parse.GetValue(env) ?? policy.Spec.EnvId;
                string body = parse.GetValue(robot)!;
                var teleop = parse.GetValue(mqttUsers) is { } users
                    ? new TeleopSettings(TeleopUserFile.Load(users.FullName), parse.GetValue(mqttPort), parse.GetValue(mqttExternal), TimeSpan.FromSeconds(parse.GetValue(operatorWait)), parse.GetValue(webPort))
                    : null;
                if (teleop is not null)
                {
                    CheckOperatorsMayReset(teleop.Accounts, parse.GetValue(safetyConfig)?.FullName, stdout);
                }
                var (result, counters) = await Deploy(policy, envId, body, parse.GetValue(episodes), parse.GetValue(seed), stdout, parse.GetValue(quiet),
                    parse.GetValue(record), teleop, parse.GetValue(safetyConfig)?.FullName, parse.GetValue(cameraTopic), cancel);
                stdout.WriteLine($"{envId} on {body}: {result.Successes}/{result.Episodes} episodes succeeded, {result.Steps} steps");
                stdout.WriteLine($"  policy inference: {result.Inference}");
                stdout.WriteLine($"  env step:         {result.Step}");
                stdout.WriteLine($"  observation age:  {result.ObservationAge}");
                stdout.WriteLine($"  safety stops:     {result.SafetyStops}, resumed after an operator's reset: {result.Resumes}");
                // How much of the policy's motion the supervisor had to change: what eval and quickstart report.
                stdout.WriteLine($"  supervisor:       retimed or clamped {counters.Clamped} of {counters.Forwarded} commands " +
                    $"({100.0 * counters.Clamped / Math.Max(counters.Forwarded, 1):F2} %), rejected {counters.Rejected}");
                if (result.StoppedBy is not null)
                {
                    stderr.WriteLine($"robotbridge deploy: stopped early — {result.StoppedBy}{NoOperatorAdvice(teleop is not null)}");
                    return result.StoppedBy.StartsWith("safety", StringComparison.Ordinal) ? SafetyStop : 0;
                }
                return 0;
            }
            catch (PolicyEnvMismatchException e)
            {
                stderr.WriteLine($"robotbridge deploy: refused — {e.Message}");
                return InputError;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or NotSupportedException
                                          or EnvRegistrationException or InvalidEnvArgumentException or IOException or FormatException)
            {
                stderr.WriteLine($"robotbridge deploy: {e.Message}");
                return InputError;
            }
            catch (TaskResetException e)
            {
                // The robot did not get to (or may not start) an episode: it has been told to stop.
                stderr.WriteLine($"robotbridge deploy: {e.Message}{NoOperatorAdvice(parse.GetValue(mqttUsers) is not null)}");
                return SafetyStop;
            }
        });
        return command;
    }

    /// <summary>
    /// A deploy without an operator console ends at its first safety stop, and nobody in it can reset the
    /// latch: say so, and what the user does next, instead of leaving "reset the e-stop" unanswerable.
    /// </summary>
    private static string NoOperatorAdvice(bool operatorConsole) => operatorConsole ? "" :
        ". No operator can reset the e-stop in a deploy without --mqtt-users, so this run ends here; find the cause, " +
        "release the robot's software runstop if it is engaged (docs/deploy.md, \"After a safety stop\") and deploy again";

    /// <summary>
    /// The latch accepts resets only from the safety config's authorised_operators; the MQTT user file
    /// names who may log in as an operator. Deploy waits for a reset, so a user file none of whose
    /// operators may reset would wait in vain: refuse it up front, saying what to change.
    /// </summary>
    private static void CheckOperatorsMayReset(IReadOnlyList<TeleopUser> accounts, string? safetyConfigPath, TextWriter stdout)
    {
        var config = safetyConfigPath is null ? SafetyConfig.Default() : SafetyConfig.Load(safetyConfigPath);
        string[] operators = [.. accounts.Where(a => a.Role == TeleopRole.Operator).Select(a => a.Name)];
        string[] may = [.. operators.Where(config.AuthorisedOperators.Contains)];
        string source = safetyConfigPath ?? "the shipped fetch-safety.json";
        string allowed = string.Join(", ", config.AuthorisedOperators);
        if (may.Length == 0)
        {
            throw new ArgumentException(
                $"no operator in the MQTT user file ({(operators.Length == 0 ? "it has none" : string.Join(", ", operators))}) may reset the e-stop: " +
                $"{source} authorises only [{allowed}]. Name an operator account after one of those, or add the name to authorised_operators " +
                "in a copy of the safety file passed with --safety-config.");
        }
        foreach (string other in operators.Except(may))
        {
            stdout.WriteLine($"note: MQTT operator '{other}' can trip the e-stop but not reset it ({source} authorises [{allowed}])");
        }
    }

    /// <summary>MQTT teleop for a deployment: broker accounts, port, optional external broker, and how
    /// long to wait for an operator's reset before the first episode.</summary>
    private sealed record TeleopSettings(IReadOnlyList<TeleopUser> Accounts, int Port, string? ExternalHost, TimeSpan OperatorWait, int? WebPort = null);

    private static async Task<(DeployResult Result, SupervisorCounters Supervisor)> Deploy(SquashedGaussianPolicy policy, string envId, string robot, int episodes, int seed, TextWriter stdout, bool quiet,
        string? recordPath, TeleopSettings? teleopSettings, string? safetyConfigPath, string? cameraTopic, CancellationToken cancel)
    {
        TextWriter? perStep = quiet ? null : stdout;
        // Deployment always runs behind the safety supervisor, on the twin as on a real Fetch, through
        // the env options the policy trained with (its arm motion above all).
        var options = policy.Spec.EnvOptions().With("robot", robot).With("safety", true);
        if (FetchEnvs.TryGetKind(envId, out _) && !FetchEnvs.IsDeployable(envId) && FetchEnvs.ArmMotion(options) == FetchArmMotion.Direct)
        {
            stdout.WriteLine("note: this policy was trained with arm_motion=direct, Gymnasium's quick arm. The safety supervisor " +
                "retimes those goals to the Fetch's acceleration limits, so the arm moves slower than the policy learned and it may fail. " +
                "For a Fetch, train the deployable family (Fetch…Deploy-v1, docs/tasks.md), or at least with --env-option arm_motion=streamed.");
        }
        if (safetyConfigPath is not null)
        {
            options = options.With("safety_config", safetyConfigPath);
        }
        if (cameraTopic is not null)
        {
            options = options.With("camera_topic", cameraTopic);
        }
        IEnv<DictValue, float[]> env = GymEnvs.Make<DictValue, float[]>(envId, options);
        try
        {
            // Refuse before the bag exists: a mismatched policy leaves no empty recording behind.
            PolicyEnvMismatchException.ThrowIfMismatched(policy.Spec, env, $"{envId} on {robot}");
        }
        catch
        {
            env.Dispose();
            throw;
        }
        ISafetyGuard supervisor = env.RequireSafetyGuard($"{envId} on {robot}");
        // Robot time zero as a wall instant, so bag times are wall times (the body's clock started before the recorder).
        using EpisodeRecorder? recorder = recordPath is null ? null : EpisodeRecorder.Create(recordPath, DateTimeOffset.UtcNow - supervisor.Robot.Clock.Now);
        Action<SafetyEvent>? recordSafety = recorder is null ? null : recorder.RecordSafetyEvent;
        JointStateRecording? jointStates = null;
        if (recorder is not null)
        {
            // The latch feeds the bag directly: exact trip and reset times, also while deploy waits between episodes.
            // The task's own step period (100 ms for the deployable family): the bag said period_s=0.04 for every task.
            TimeSpan? period = (env.Unwrapped as FetchTaskEnv)?.TaskSpec.StepPeriod;
            env = new EpisodeRecordingEnv(env, recorder, EpisodeSource.Deploy, envId, robot == "sim" ? "twin" : "fetch", period, safetyFromInfo: false);
            supervisor.Latch.EventRaised += recordSafety;
            if (!supervisor.Robot.Clock.IsVirtual)
            {
                jointStates = new JointStateRecording(supervisor.Body, recorder); // every state received, not one per step
            }
        }
        using (env)
        {
            try
            {
                await using TeleopAttachment? teleop = teleopSettings is null ? null
                    : await TeleopAttachment.StartAsync(supervisor, teleopSettings.Accounts, teleopSettings.Port, teleopSettings.ExternalHost,
                        TimeSpan.FromMilliseconds(250), cancel, teleopSettings.WebPort, env.CommandMailbox());
                OperatorResetWait? operatorReset = null;
                if (teleop is not null)
                {
                    // Between episodes a lockstep body's loop does not run (its time stands still): the wait
                    // runs the supervisor's checks, so a link that came back clears its stop source and the
                    // operator sees what still holds the robot. On a wall clock the loop's thread does too.
                    operatorReset = new OperatorResetWait(() =>
                    {
                        supervisor.Monitor();
                        return supervisor.Snapshot;
                    }, teleopSettings!.OperatorWait,
                        stop => stdout.WriteLine($"robot stopped ({stop}): waiting up to {teleopSettings.OperatorWait.TotalSeconds:0.#} s for an operator to reset the e-stop over MQTT (port {teleop.Port})"));
                    // The heartbeat watchdog holds the robot stopped until an operator is connected and resets it.
                    perStep?.WriteLine($"MQTT teleop on port {teleop.Port}: waiting for an operator to reset the e-stop (robotbridge teleop --port {teleop.Port})");
                    if (teleop.WebAddress is { } page)
                    {
                        stdout.WriteLine($"web console on {page}");
                    }
                    if (operatorReset.AwaitReset(cancel) is { } why)
                    {
                        throw new TaskResetException(why);
                    }
                }
                var result = PolicyDeployment.Run(policy, env, $"{envId} on {robot}", episodes, seed, perStep is null ? null : s => perStep.WriteLine(Describe(s)),
                    operatorReset is null ? null : new AnnouncedRecovery(operatorReset, stdout), cancel);
                return (result, supervisor.Counters);
            }
            finally
            {
                jointStates?.Dispose(); // before the body it reads goes away with the env
                supervisor.Latch.EventRaised -= recordSafety;
            }
        }
    }

    /// <summary>Tells the operator's console when a reset resumed the run.</summary>
    private sealed class AnnouncedRecovery(IStopRecovery inner, TextWriter stdout) : IStopRecovery
    {
        public SafetySnapshot Safety => inner.Safety;

        public string? AwaitReset(CancellationToken cancel)
        {
            string? why = inner.AwaitReset(cancel);
            if (why is null)
            {
                stdout.WriteLine("e-stop reset by an operator: resuming with the next episode");
            }
            return why;
        }
    }

    private static string Describe(DeployStep s)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"ep {s.Episode} step {s.StepInEpisode,2}: infer {s.Inference.TotalMilliseconds:F2} ms  step {s.Step.TotalMilliseconds:F1} ms");
        if (s.EnvTiming is { } t)
            line += string.Create(CultureInfo.InvariantCulture,
                $"  robot t {t.RobotTime.TotalSeconds:F2} s  late {t.Lateness.TotalMilliseconds:F1} ms  obs age {t.ObservationAge.TotalMilliseconds:F1} ms");
        line += $"  reward {s.Reward:F2}{(s.Success ? "  success" : "")}";
        if (s.Safety is { } safety) line += $"  safety {safety}";
        return line;
    }
}
