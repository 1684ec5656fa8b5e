using System.Net;
using System.Net.Sockets;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Operator;

namespace RobotBridge.Cli.Tests.Teleop;

public sealed class TeleopCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("robotbridge-cli-teleop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, TextWriter.Synchronized(output), TextWriter.Synchronized(error));
        return (code, output.ToString(), error.ToString());
    }

    private string Users(params string[] lines)
    {
        string path = Path.Combine(_dir, "users.txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Serve_explains_a_missing_or_incomplete_user_file()
    {
        var (code, _, error) = Run("teleop", "serve", "--users", Path.Combine(_dir, "nope.txt"));
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("does not exist", error);

        (code, _, error) = Run("teleop", "serve", "--users", Users("alice:pw:operator"));
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("role robot", error);

        (code, _, error) = Run("teleop", "serve", "--users", Users("robot:pw:robot", "eve:pw:admin"));
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("line 2: role 'admin'", error);
    }

    [Fact]
    public void Mosquitto_config_writes_a_loadable_configuration()
    {
        string dir = Path.Combine(_dir, "mq");
        var (code, output, error) = Run("teleop", "mosquitto-config", "--users", Users("robot:r:robot", "alice:a:operator"), "--dir", dir, "--port", "18999");
        Assert.True(code == 0, error);
        Assert.Contains("mosquitto -c", output);
        string conf = File.ReadAllText(Path.Combine(dir, "mosquitto.conf"));
        Assert.Contains("set_tcp_nodelay true", conf);
        Assert.Contains("listener 18999 127.0.0.1", conf);
        Assert.DoesNotContain("user root", conf);
        Assert.Contains("topic write robotbridge/+/op/alice/#", File.ReadAllText(Path.Combine(dir, "acl")));
        Assert.StartsWith("alice:$", File.ReadAllLines(Path.Combine(dir, "passwd")).Single(l => l.StartsWith("alice:")));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Mosquitto_config_keeps_the_password_hashes_owner_only_and_warns_of_a_wide_listener()
    {
        string dir = Path.Combine(_dir, "mq-perm");
        var (code, _, error) = Run("teleop", "mosquitto-config", "--users", Users("robot:r:robot", "alice:a:operator"), "--dir", dir);
        Assert.True(code == 0, error);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "passwd")));
        Assert.DoesNotContain("warning", error);

        (code, _, error) = Run("teleop", "mosquitto-config", "--users", Users("robot:r:robot", "alice:a:operator"), "--dir", dir, "--bind", "0.0.0.0");
        Assert.True(code == 0, error);
        Assert.Contains("warning: --bind 0.0.0.0 listens beyond this machine", error);
        Assert.Contains("listener 1883 0.0.0.0", File.ReadAllText(Path.Combine(dir, "mosquitto.conf")));
    }

    [Fact]
    public void Serve_warns_when_its_broker_listens_beyond_loopback()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var (code, output, error) = Run("teleop", "serve", "--users", Users("robot:r:robot", "alice:a:operator"), "--bind", "0.0.0.0",
            "--port", port.ToString(), "--seconds", "0.2");
        Assert.True(code == 0, error + output);
        Assert.Contains("robotbridge teleop serve: warning: --bind 0.0.0.0 listens beyond this machine", error);
    }

    [Fact]
    public async Task Serve_runs_the_twin_behind_the_embedded_broker_and_a_client_trips_it()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        string users = Users("robot:r:robot", "alice:a:operator", "visitor:v:observer");
        var serve = Task.Run(() => Run("teleop", "serve", "--users", users, "--port", port.ToString(), "--seconds", "4"));

        await using var visitor = new TeleopOperator(new BrokerEndpoint { Port = port, UserName = "visitor", Password = "v" }, "fetch", "visitor");
        for (int attempt = 0; !visitor.IsConnected; attempt++)
        {
            try
            {
                await visitor.ConnectAsync();
            }
            catch (Exception) when (attempt < 100)
            {
                await Task.Delay(50);
            }
        }
        // The broker is up before the twin is built and the bridge subscribes (a second or more on a loaded
        // 2-core machine): a trip sent earlier reaches no subscriber. The bridge announces itself online
        // (retained) only after it has subscribed, so the trip goes once the visitor has seen that.
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); visitor.Link is not { Online: true };)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(15) && !serve.IsCompleted,
                $"the bridge never came online (serve {(serve.IsCompleted ? "ended" : "still running")})");
            await Task.Delay(20);
        }
        await visitor.TripAsync("cli test trip");

        var (code, output, error) = await serve;
        Assert.True(code == 0, error);
        Assert.Contains("embedded broker on 127.0.0.1:" + port, output);
        Assert.True(output.Contains("Trip Teleop:mqtt:visitor: cli test trip", StringComparison.Ordinal), $"no trip in serve's output:\n{output}");
        Assert.True(visitor.EStopState is { Stopped: true }, "the visitor saw the retained stopped state");
    }

    [Fact]
    public void Bench_estop_refuses_nonsense()
    {
        var (code, _, error) = Run("bench", "estop", "--trips", "0");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("--trips must be between 1 and 1000000, got 0", error);
        (code, _, error) = Run("bench", "estop", "--brokers", "hivemq");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("unknown broker 'hivemq'", error);
    }
}
