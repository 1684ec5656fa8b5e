using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using RobotBridge.Cli.Composition;
using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Deployment;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Training;
using RobotBridge.Safety;
using RobotBridge.Tasks;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Operator;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// The project's main job in one command (the README's first command): train SAC+HER on the
/// deployable FetchReach (FetchReachDeploy-v1: the action a real Fetch executes unchanged, trained
/// behind the supervisor with the measured latency) on the MuJoCo twin, evaluate the saved policy,
/// then run it on the twin behind the safety supervisor with the embedded MQTT broker and the teleop
/// e-stop live, count the commands the supervisor had to retime — and press that e-stop over MQTT in
/// the last episode to show the stop.
/// </summary>
internal static class QuickstartCommand
{
    private const string EnvId = "FetchReachDeploy-v1";
    private const string Operator = "operator";

    public static Command Create()
    {
        var steps = new Option<long>("--steps") { Description = "Training env steps (FetchReachDeploy-v1, seed 1, 30 evaluation episodes: 90 % after 10000, 100 % after 15000)", DefaultValueFactory = _ => 15_000 }.Range(1000, 100_000_000);
        var output = new Option<string>("--out") { Description = "Directory for the policy, checkpoint, logs and learning curve", DefaultValueFactory = _ => Path.Combine("runs", "quickstart") }.OutputDirectory();
        var episodes = new Option<int>("--episodes") { Description = "Episodes to run the trained policy (the last one ends with an MQTT e-stop)", DefaultValueFactory = _ => 3 }.Range(1, 1000);
        var evalEpisodes = new Option<int>("--eval-episodes") { Description = "Episodes of the evaluation after training", DefaultValueFactory = _ => 50 }.Range(1, 1_000_000);
        var command = new Command("quickstart",
            "Run the main job: train a policy on the simulated twin (SAC+HER, FetchReachDeploy-v1), evaluate it, then run it behind the\n" +
            "safety supervisor with the embedded MQTT broker and an MQTT e-stop.\nExample: robotbridge quickstart --steps 15000");
        command.Options.Add(steps);
        command.Options.Add(output);
        command.Options.Add(episodes);
        command.Options.Add(evalEpisodes);
        command.SetAction(async (parse, cancel) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output, stderr = parse.InvocationConfiguration.Error;
            if (parse.GetValue(steps) < 1000 || parse.GetValue(episodes) < 1 || parse.GetValue(evalEpisodes) < 1)
            {
                stderr.WriteLine("robotbridge quickstart: --steps must be ≥ 1000, --episodes and --eval-episodes ≥ 1");
                return Program.UsageError;
            }
            CliEnvironments.EnsureRegistered();

            stdout.WriteLine($"[1/3] Training SAC+HER on {EnvId} on the MuJoCo twin for {parse.GetValue(steps)} steps");
            var request = new TrainRequest { EnvId = EnvId, Steps = parse.GetValue(steps), OutputDirectory = parse.GetValue(output)! };
            var (training, evaluation) = TrainingConsole.Run(stdout, request.Steps,
                view => PolicyTraining.TrainAndEvaluate(request, parse.GetValue(evalEpisodes), view, cancel));
            stdout.WriteLine($"      policy {training.PolicyPath}, learning curve {training.CurvePath}");
            stdout.WriteLine($"[2/3] Evaluation of the saved policy on the twin: {evaluation}");

            stdout.WriteLine("[3/3] Running the policy on the twin behind the safety supervisor, embedded MQTT broker and teleop e-stop live");
            return await RunWithEStop(training.PolicyPath, parse.GetValue(episodes), stdout, cancel);
        });
        return command;
    }

    private static async Task<int> RunWithEStop(string policyPath, int episodes, TextWriter stdout, CancellationToken cancel)
    {
        using var policy = PolicyFile.Load(policyPath);
        // The options the policy trained with (the family's: measured latency, joint noise), supervised as deploy runs it.
        using var env = GymEnvs.Make<DictValue, float[]>(EnvId, policy.Spec.EnvOptions().With("robot", "sim").With("safety", true));
        ISafetyGuard supervisor = env.RequireSafetyGuard(EnvId);
        EStopLatch latch = supervisor.Latch;

        int port = FreeLoopbackPort();
        string robotPassword = Secret(), operatorPassword = Secret();
        await using var teleop = await TeleopAttachment.StartAsync(supervisor,
        [
            new TeleopUser("robot", robotPassword, TeleopRole.Robot),
            new TeleopUser(Operator, operatorPassword, TeleopRole.Operator),
        // The bound is looser than a real deployment's 250 ms: this demo runs trainer, twin, broker and
        // operator in one process on what may be a small, busy machine.
        ], port, externalHost: null, heartbeatTimeout: TimeSpan.FromSeconds(3), cancel, commands: env.CommandMailbox());
        BrokerEndpoint Endpoint(string user, string password) => new() { Host = "127.0.0.1", Port = port, UserName = user, Password = password };
        stdout.WriteLine($"      embedded MQTT broker on 127.0.0.1:{port}; teleop bridge connected; operator console connecting");

        // The operator: holds the dead-man with heartbeats, resets the latch the watchdog set before they arrived.
        await using var console = new TeleopOperator(Endpoint(Operator, operatorPassword), "fetch", Operator);
        await console.ConnectAsync(cancel);
        using var stopHeartbeats = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        // Its own thread: the deployment below blocks the calling thread, and a starved thread pool must
        // not be able to silence the operator's heartbeat.
        var heartbeats = new Thread(() => PumpHeartbeats(console, stopHeartbeats.Token)) { IsBackground = true, Name = "quickstart operator heartbeat" };
        heartbeats.Start();
        for (int attempt = 0; latch.IsStopped && attempt < 100; attempt++)
        {
            await console.ResetAsync(cancel);
            await Task.Delay(50, cancel);
        }
        if (latch.IsStopped)
        {
            stdout.WriteLine($"      the e-stop could not be reset: {latch.Snapshot}");
            return 1;
        }
        stdout.WriteLine("      operator connected, e-stop reset: robot running");

        long tripSentAt = 0, tripSeenAt = 0;
        int tripEpisode = episodes, tripStep = 20; // DeployStep counts episodes and steps from 1
        DeployResult result = PolicyDeployment.Run(policy, env, $"{EnvId} on the twin", episodes, seed: 1000, step =>
        {
            if (step.Episode == tripEpisode && step.StepInEpisode == tripStep && tripSentAt == 0)
            {
                tripSentAt = Stopwatch.GetTimestamp();
                console.TripAsync("quickstart: operator pressed the e-stop").GetAwaiter().GetResult();
                var deadline = Stopwatch.StartNew();
                while (!latch.IsStopped && deadline.Elapsed < TimeSpan.FromSeconds(5))
                {
                    Thread.Sleep(1);
                }
                tripSeenAt = Stopwatch.GetTimestamp();
            }
            if (step.Success && step.StepInEpisode == FetchEnvs.MaxEpisodeSteps)
            {
                stdout.WriteLine($"      episode {step.Episode}: success");
            }
        }, cancel: cancel);
        await stopHeartbeats.CancelAsync();
        heartbeats.Join();

        stdout.WriteLine($"      {result.Successes}/{result.Episodes} episodes succeeded, {result.Steps} steps; inference {result.Inference}; env step {result.Step}");
        SupervisorCounters counters = supervisor.Counters;
        stdout.WriteLine($"      the supervisor retimed or clamped {counters.Clamped} of {counters.Forwarded} commands " +
            $"({100.0 * counters.Clamped / Math.Max(counters.Forwarded, 1):F1} %)");
        if (result.StoppedBy is not null && tripSeenAt != 0)
        {
            double ms = Stopwatch.GetElapsedTime(tripSentAt, tripSeenAt).TotalMilliseconds;
            stdout.WriteLine($"      MQTT e-stop at episode {tripEpisode} step {tripStep}: latch tripped {ms:F1} ms after the publish; the next step ended the episode: {result.StoppedBy}");
            stdout.WriteLine($"      safety state: {latch.Snapshot}; supervisor: {supervisor.Counters}");
            return 0;
        }
        stdout.WriteLine($"      the e-stop did not stop the run as expected (stopped by: {result.StoppedBy ?? "nothing"}; latch {latch.Snapshot})");
        return 1;
    }

    private static void PumpHeartbeats(TeleopOperator console, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                console.SendHeartbeatAsync(deadman: true, cancel).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception)
            {
                // A lost publish is what the robot's heartbeat watchdog is for: it stops the robot. Keep beating.
            }
            cancel.WaitHandle.WaitOne(50);
        }
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
