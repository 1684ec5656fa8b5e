using System.Net;
using System.Net.Sockets;
using RobotBridge.Cli.Commands;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;
using RobotBridge.Recording.Bag;

namespace RobotBridge.Cli.Tests.EndToEnd;

/// <summary>
/// Ctrl+C on a running deploy ends it as a stop, not a kill: it says why, exits with its own code and
/// closes its bag. Found re-trying docs/deploy.md: deploy died at once with exit code 130, printing
/// nothing, its --record bag empty (System.CommandLine 2.0.0 does not handle SIGINT unless told).
/// </summary>
public sealed class DeployInterruptTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rb-deploy-interrupt-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Ctrl_C_while_deploy_waits_for_the_operator_ends_it_with_a_reason_and_a_readable_bag()
    {
        CliEnvironments.EnsureRegistered();
        string policyPath = Path.Combine(_directory, "reach-deploy.rbpolicy");
        using (var env = GymEnvs.Make<DictValue, float[]>("FetchReachDeploy-v1"))
        {
            TorchRuntime.Configure(1, 1);
            using var policy = new SquashedGaussianPolicy(PolicyInputs.SpecFor(env, "FetchReachDeploy-v1", "sac-her", [16]));
            PolicyFile.Save(policy, policyPath);
        }
        string users = Path.Combine(_directory, "users.txt");
        File.WriteAllText(users, "robot:R-SECRET:robot\noperator:O-SECRET:operator\n");
        string bag = Path.Combine(_directory, "run.bag");
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var deploy = CliProcess.Start("deploy", policyPath, "--robot", "sim", "--mqtt-users", users,
            "--mqtt-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--record", bag, "--quiet");
        deploy.WaitForLine(l => l.Contains("waiting up to", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "deploy waits for an operator");

        deploy.Interrupt();
        int code = deploy.WaitForExit(TimeSpan.FromSeconds(30), "deploy ends after Ctrl+C");

        Assert.True(code == DeployCommand.SafetyStop, $"exit {code}\n{deploy.Output}\n{deploy.Error}");
        Assert.Contains("cancelled while waiting for an operator", deploy.Error, StringComparison.Ordinal);
        using var reader = BagReader.Open(bag); // indexed: closed, not cut off
    }
}
