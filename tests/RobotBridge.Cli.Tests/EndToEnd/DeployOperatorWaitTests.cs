using System.Net;
using System.Net.Sockets;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Cli.Commands;
using RobotBridge.Learning.Torch;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Operator;

namespace RobotBridge.Cli.Tests.EndToEnd;

/// <summary><c>robotbridge deploy --mqtt-users</c> when the operator trips the e-stop and never resets it:
/// deploy ends cleanly once <c>--operator-wait</c> has passed, says why, and exits with the safety code.</summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)] // one real-time chain at a time: on 2 cores two starve each other
public sealed class DeployOperatorWaitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-deploy-wait-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Without_a_reset_within_the_operator_wait_deploy_ends_with_a_clear_message_and_exit_3()
    {
        string policy = UntrainedReachPolicy(); // what it does does not matter here
        string users = Path.Combine(_dir, "users.txt");
        File.WriteAllLines(users, ["robot:robot-pw:robot", "operator:operator-pw:operator"]);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var output = new StringWriter();
        var error = new StringWriter();
        TextWriter stdout = TextWriter.Synchronized(output), stderr = TextWriter.Synchronized(error);
        // Many episodes on the lockstep twin: the run is still going when the trip arrives.
        var deploy = Task.Run(() => Program.Run(["deploy", policy, "--robot", "sim", "--episodes", "200", "--quiet",
            "--mqtt-users", users, "--mqtt-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--operator-wait", "4"], stdout, stderr)); // long enough for the console to connect and make the first reset on a loaded machine

        await using var console = new TeleopOperator(new BrokerEndpoint { Port = port, UserName = "operator", Password = "operator-pw" }, "fetch", "operator");
        for (int attempt = 0; !console.IsConnected; attempt++)
        {
            try
            {
                await console.ConnectAsync();
            }
            catch (Exception) when (attempt < 200)
            {
                await Task.Delay(50);
            }
        }
        using var heartbeat = new OperatorHeartbeat(console);
        while (console.EStopState is not { Stopped: false } && !deploy.IsCompleted)
        {
            await console.ResetAsync();
            await Task.Delay(100);
        }
        await Task.Delay(300); // episodes are running
        await console.TripAsync("operator walks away");
        int code = await deploy.WaitAsync(TimeSpan.FromSeconds(60));

        string text = output.ToString(), errors = error.ToString();
        Assert.True(code == 3, $"exit {code}\n{text}\n{errors}");
        Assert.Contains("robot stopped (AwaitingReset: operator walks away", text);
        Assert.Contains("safety stops:     1, resumed after an operator's reset: 0", text);
        Assert.Contains("robotbridge deploy: stopped early — safety stop: AwaitingReset: operator walks away", errors);
        Assert.Contains("no operator reset the e-stop within 4 s", errors);
    }

    [Fact]
    public void A_user_file_whose_operators_may_not_reset_the_e_stop_is_refused_before_anything_moves()
    {
        string users = Path.Combine(_dir, "alice.txt");
        File.WriteAllLines(users, ["robot:robot-pw:robot", "alice:a-pw:operator"]);
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(["deploy", UntrainedReachPolicy(), "--robot", "sim", "--mqtt-users", users], output, error);
        Assert.True(code == DeployCommand.InputError, $"exit {code}\n{output}\n{error}");
        Assert.Contains("no operator in the MQTT user file (alice) may reset the e-stop: the shipped fetch-safety.json authorises only [operator]", error.ToString());
    }

    [Fact]
    public void Without_an_operator_console_a_stop_ends_the_run_and_says_nobody_here_can_reset_it()
    {
        // A workspace whose ceiling (0.45 m) is below the gripper's tucked height: the supervisor trips
        // before the first episode. Without --mqtt-users nobody can reset the latch in this run, so the
        // message must not just say "reset the e-stop" but what the user does next.
        string config = Path.Combine(_dir, "low-ceiling.json");
        using (var shipped = typeof(RobotBridge.Safety.SafetyConfig).Assembly.GetManifestResourceStream("RobotBridge.Safety.fetch-safety.json")!)
        using (var reader = new StreamReader(shipped))
        {
            string json = reader.ReadToEnd();
            const string Box = "\"workspace\": { \"min\": [-0.1, -0.9, 0.3], \"max\": [1.35, 0.9, 1.75] }";
            Assert.Contains(Box, json, StringComparison.Ordinal);
            File.WriteAllText(config, json.Replace(Box, "\"workspace\": { \"min\": [-0.1, -0.9, 0.3], \"max\": [1.35, 0.9, 0.45] }", StringComparison.Ordinal));
        }
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(["deploy", UntrainedReachPolicy(), "--robot", "sim", "--episodes", "2", "--quiet", "--safety-config", config], output, error);
        string errors = error.ToString();
        Assert.True(code == DeployCommand.SafetyStop, $"exit {code}\n{output}\n{errors}");
        Assert.Contains("outside the workspace", errors);
        Assert.Contains("No operator can reset the e-stop in a deploy without --mqtt-users, so this run ends here", errors);
        Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // one line, no stack trace
    }

    private string UntrainedReachPolicy()
    {
        CliEnvironments.EnsureRegistered();
        using var env = GymEnvs.Make<DictValue, float[]>("FetchReach-v4");
        TorchRuntime.Configure(1, 1);
        using var policy = new SquashedGaussianPolicy(PolicyInputs.SpecFor(env, "FetchReach-v4", "sac-her", [16]));
        string path = Path.Combine(_dir, "reach.rbpolicy");
        PolicyFile.Save(policy, path);
        return path;
    }
}
