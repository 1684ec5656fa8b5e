using System.CommandLine;
using System.Device.Gpio;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using RobotBridge.Control;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Gpio;
using RobotBridge.Teleop.Operator;
using RobotBridge.Teleop.Robot;
using RobotBridge.Teleop.Web;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// <c>robotbridge teleop</c>: the operator console (connects to any MQTT 5 broker), and
/// <c>robotbridge teleop serve</c>: the robot side on the twin, with the embedded broker or an external one.
/// </summary>
internal static class TeleopCommand
{
    private const string PasswordVariable = "ROBOTBRIDGE_MQTT_PASSWORD";

    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Broker host.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Broker port (8883 is usual with --tls).", DefaultValueFactory = _ => 1883 }.Port();
        var user = new Option<string>("--user") { Description = "MQTT user name = operator id.", DefaultValueFactory = _ => "operator" };
        var password = new Option<string?>("--password") { Description = $"MQTT password (default: ${PasswordVariable})." };
        var tls = new Option<bool>("--tls") { Description = "Connect with TLS." };
        var ca = new Option<FileInfo?>("--ca") { Description = "PEM certificate to trust as root for TLS (a private CA or the broker's self-signed certificate)." }.InputFile();
        var robot = new Option<string>("--robot") { Description = "Robot id in the topic tree.", DefaultValueFactory = _ => "fetch" };
        var command = new Command("teleop",
            "Operator console: drive the robot over MQTT and stop it. Hold Tab (or a motion key) as dead-man; " +
            "W/S A/D Q/E gripper, I/K J/L base, arrows head, O/C gripper, SPACE trips the e-stop, R resets, Esc quits.\n" +
            "Example: robotbridge teleop --host robot.local --user alice --password secret");
        foreach (var option in new Option[] { host, port, user, password, tls, ca, robot })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (Console.IsInputRedirected)
            {
                error.WriteLine("robotbridge teleop: the operator console needs a terminal (stdin is redirected)");
                return Program.UsageError;
            }
            BrokerEndpoint endpoint;
            try
            {
                endpoint = Endpoint(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(user), parse.GetValue(password), parse.GetValue(tls), parse.GetValue(ca));
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                error.WriteLine($"robotbridge teleop: {e.Message}");
                return Program.UsageError;
            }
            await using var op = new TeleopOperator(endpoint, parse.GetValue(robot)!, parse.GetValue(user)!);
            try
            {
                await op.ConnectAsync(token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error.WriteLine($"robotbridge teleop: cannot connect to {endpoint}: {e.Message}");
                return 1;
            }
            using var quit = CancellationTokenSource.CreateLinkedTokenSource(token);
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; quit.Cancel(); };
            Console.CancelKeyPress += onCancel;
            Console.CursorVisible = false;
            Console.Clear();
            try
            {
                await new OperatorConsole(op, new TerminalKeySource(), Console.Out).RunAsync(quit.Token);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                Console.CursorVisible = true;
            }
            return 0;
        });
        command.Subcommands.Add(CreateServe());
        command.Subcommands.Add(CreateMosquittoConfig());
        return command;
    }

    private static BrokerEndpoint Endpoint(string host, int port, string? user, string? password, bool tls, FileInfo? ca) => new()
    {
        Host = host,
        Port = port,
        UserName = user,
        Password = password ?? Environment.GetEnvironmentVariable(PasswordVariable),
        UseTls = tls || ca is not null,
        TrustedCertificate = ca is null ? null : X509Certificate2.CreateFromPem(File.ReadAllText(ca.FullName)),
    };

    private static Command CreateServe()
    {
        var users = new Option<FileInfo>("--users") { Description = "Accounts, one name:password:role per line (roles: robot, operator, observer).", Required = true }.InputFile();
        var bind = new Option<string>("--bind") { Description = "Address the embedded broker listens on (loopback unless you mean it).", DefaultValueFactory = _ => "127.0.0.1" }.IpAddress();
        var port = new Option<int>("--port") { Description = "Embedded broker port, or the external broker's port with --external.", DefaultValueFactory = _ => 1883 }.Port();
        var external = new Option<string?>("--external") { Description = "Use this external broker host (e.g. mosquitto) instead of the embedded one." };
        var tlsPfx = new Option<FileInfo?>("--tls-pfx") { Description = "Embedded broker: PKCS#12 file with the TLS certificate and key (adds a TLS listener)." }.InputFile();
        var tlsPort = new Option<int>("--tls-port") { Description = "Embedded broker TLS port.", DefaultValueFactory = _ => 8883 }.Port();
        var heartbeat = new Option<int>("--heartbeat-ms") { Description = "Operator heartbeat bound in ms.", DefaultValueFactory = _ => 250 }.Range(20, 60_000, "ms");
        var gpio = new Option<int?>("--gpio-pin") { Description = "Also watch a normally-closed e-stop button on this GPIO (BCM) line." }.Range(0, 1023);
        var camera = new Option<bool>("--camera") { Description = "Render the twin's head camera (640x480, 15 Hz) and stream it as JPEG at 2 Hz on telemetry/camera." };
        var seconds = new Option<double?>("--seconds") { Description = "Stop after this many seconds (default: until Ctrl+C)." }.Range(0.1, 1e9, "s");
        var webPort = new Option<int?>("--web-port") { Description = "Also serve the browser operator console on this port (0: any free one): the page and MQTT over WebSocket (/mqtt) on the embedded broker, same accounts and ACL, HTTPS with --tls-pfx." }.Range(0, 65535);
        var command = new Command("serve",
            "Robot side of teleop on the MuJoCo twin (real time) under the safety supervisor: embedded MQTT broker (or --external), " +
            "teleop bridge, optional GPIO e-stop. Safety events are printed as they happen.\n" +
            "Example: robotbridge teleop serve --users teleop-users.txt");
        foreach (var option in new Option[] { users, bind, port, external, tlsPfx, tlsPort, heartbeat, gpio, camera, seconds, webPort })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            IReadOnlyList<TeleopUser> accounts;
            TeleopAccessPolicy policy;
            try
            {
                accounts = TeleopUserFile.Load(parse.GetValue(users)!.FullName);
                policy = new TeleopAccessPolicy(accounts);
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentException)
            {
                error.WriteLine($"robotbridge teleop serve: {e.Message}");
                return Program.UsageError;
            }
            var robotAccount = accounts.FirstOrDefault(u => u.Role == TeleopRole.Robot);
            if (robotAccount is null)
            {
                error.WriteLine("robotbridge teleop serve: the user file needs one account with role robot (the bridge's own)");
                return Program.UsageError;
            }
            string[] operators = accounts.Where(u => u.Role == TeleopRole.Operator).Select(u => u.Name).ToArray();

            EmbeddedBroker? broker = null;
            WebConsole? web = null;
            string? externalHost = parse.GetValue(external);
            if (parse.GetValue(webPort) is not null && externalHost is not null)
            {
                error.WriteLine("robotbridge teleop serve: --web-port needs the embedded broker (the page's MQTT over WebSocket goes into it); drop --external");
                return Program.UsageError;
            }
            if (externalHost is null)
            {
                BindWarning.WarnIfExposed(parse.GetValue(bind)!, "robotbridge teleop serve", "--bind", error);
                X509Certificate2? certificate = parse.GetValue(tlsPfx) is { } pfx ? X509CertificateLoader.LoadPkcs12FromFile(pfx.FullName, null) : null;
                broker = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions
                {
                    Access = policy,
                    BindAddress = IPAddress.Parse(parse.GetValue(bind)!),
                    Port = parse.GetValue(port),
                    TlsCertificate = certificate,
                    TlsPort = parse.GetValue(tlsPort),
                    ExtraAdapters = (web = WebConsoleFor(parse.GetValue(webPort), parse.GetValue(bind)!, certificate, parse.GetValue(heartbeat))) is { } w ? [w.MqttAdapter] : [],
                });
                if (web is not null)
                {
                    try
                    {
                        await web.StartAsync(token);
                    }
                    catch
                    {
                        // A busy web port: the broker already listens, and must not outlive the refusal.
                        await web.DisposeAsync();
                        await broker.DisposeAsync();
                        throw;
                    }
                    output.WriteLine($"web console on {web.Address}");
                }
                output.WriteLine($"embedded broker on {parse.GetValue(bind)}:{parse.GetValue(port)}" + (certificate is null ? "" : $", TLS on {parse.GetValue(tlsPort)}"));
            }
            var latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = operators, StartLatched = true });
            latch.EventRaised += e => output.WriteLine(e.ToString());
            using var supervisor = ModelSafety.SuperviseFetch(new FetchTwin(new FetchTwinOptions
            {
                ClockMode = TwinClockMode.RealTime,
                Camera = parse.GetValue(camera) ? HeadCameraOptions.Carmine with { Depth = false } : HeadCameraOptions.Off,
            }), latch);
            // Teleop's commands go to the control loop's mailbox; the loop sends them on its thread.
            var commands = new RobotCommandMailbox();
            var bridge = new TeleopBridge(supervisor, new TeleopBridgeOptions
            {
                Commands = commands,
                Broker = new BrokerEndpoint { Host = externalHost ?? "127.0.0.1", Port = parse.GetValue(port), UserName = robotAccount.Name, Password = robotAccount.Password },
                AuthorisedOperators = operators,
                HeartbeatTimeout = TimeSpan.FromMilliseconds(parse.GetValue(heartbeat)),
                // Nothing else takes frames here, so the bridge may.
                PullCameraFrames = parse.GetValue(camera),
            });
            if (broker is not null)
            {
                // The robot's own queue overflowing could have cost a trip message: that is a stop.
                bridge.WatchBrokerQueue(broker);
            }
            GpioController? gpioController = null;
            GpioEStopButton? button = null;
            try
            {
                if (parse.GetValue(gpio) is { } pin)
                {
                    gpioController = new GpioController();
                    button = new GpioEStopButton(latch, gpioController, new GpioEStopOptions { Pin = pin });
                    output.WriteLine($"GPIO e-stop on line {pin} (normally closed to ground, pull-up)");
                }
                bridge.Start();
                output.WriteLine($"teleop bridge: robot '{bridge.Topics.RobotId}', operators {string.Join(", ", operators)}, heartbeat bound {parse.GetValue(heartbeat)} ms; Ctrl+C to stop");
                using var quit = CancellationTokenSource.CreateLinkedTokenSource(token);
                if (parse.GetValue(seconds) is { } limit)
                {
                    quit.CancelAfter(TimeSpan.FromSeconds(limit));
                }
                // The control loop owns the cycle at its rate: the supervisor's checks (state age, limits,
                // heartbeats) and the commands the bridge posted to its mailbox.
                using var loop = new ControlLoop(supervisor, commands, new ControlLoopOptions { RateHz = 100 });
                loop.Start();
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, quit.Token);
                }
                catch (OperationCanceledException)
                {
                }
                loop.Stop();
                output.WriteLine($"teleop bridge: {bridge.Stats}");
                return 0;
            }
            finally
            {
                button?.Dispose();
                gpioController?.Dispose();
                await bridge.DisposeAsync();
                if (web is not null)
                {
                    await web.DisposeAsync();
                }
                if (broker is not null)
                {
                    await broker.DisposeAsync();
                }
            }
        });
        return command;
    }

    /// <summary>The browser console for <c>--web-port</c>, on the broker's address and TLS certificate.</summary>
    internal static WebConsole? WebConsoleFor(int? port, string bind, X509Certificate2? certificate, int heartbeatMs) =>
        port is { } p
            ? new WebConsole(new WebConsoleOptions
            {
                BindAddress = IPAddress.Parse(bind), Port = p, TlsCertificate = certificate, HeartbeatTimeout = TimeSpan.FromMilliseconds(heartbeatMs),
            })
            : null;

    private static Command CreateMosquittoConfig()
    {
        var users = new Option<FileInfo>("--users") { Description = "Accounts, one name:password:role per line.", Required = true }.InputFile();
        var dir = new Option<DirectoryInfo>("--dir") { Description = "Where to write mosquitto.conf, passwd and acl.", Required = true }.OutputDirectory();
        var bind = new Option<string>("--bind") { Description = "Listener address.", DefaultValueFactory = _ => "127.0.0.1" }.IpAddress();
        var port = new Option<int>("--port") { Description = "Listener port.", DefaultValueFactory = _ => 1883 }.Port();
        var command = new Command("mosquitto-config",
            "Write a mosquitto configuration for teleop: password file (mosquitto_passwd), the teleop ACL, set_tcp_nodelay, loopback listener.\n" +
            "Example: robotbridge teleop mosquitto-config --users teleop-users.txt --dir /etc/mosquitto/robotbridge && mosquitto -c /etc/mosquitto/robotbridge/mosquitto.conf");
        foreach (var option in new Option[] { users, dir, bind, port })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            try
            {
                var policy = new TeleopAccessPolicy(TeleopUserFile.Load(parse.GetValue(users)!.FullName));
                BindWarning.WarnIfExposed(parse.GetValue(bind)!, "robotbridge teleop mosquitto-config", "--bind", parse.InvocationConfiguration.Error);
                string conf = MosquittoBroker.WriteConfig(new MosquittoOptions
                {
                    Access = policy, BindAddress = parse.GetValue(bind)!, Port = parse.GetValue(port),
                }, parse.GetValue(dir)!.FullName);
                parse.InvocationConfiguration.Output.WriteLine($"wrote {conf}; run: mosquitto -c {conf}");
                return 0;
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"robotbridge teleop mosquitto-config: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
