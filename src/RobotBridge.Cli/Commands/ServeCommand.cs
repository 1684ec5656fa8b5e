using System.CommandLine;
using System.Net;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// <c>robotbridge serve</c>: the MuJoCo twin in real time behind a rosbridge v2 server, under the
/// real Fetch's topic, action and service names, so any rosbridge client (roslibjs, ROS#, our
/// RosFetch) can drive it. The task object's ground-truth pose is published as a perfect detector's
/// would be (<see cref="FetchTopics.ObjectPose"/>), so object tasks deploy over ws:// to it unchanged; a
/// client with the operator role may put it on the table (<see cref="FetchTopics.PlaceObject"/>, twin only),
/// so they also reset with nobody there to place it.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "WebSocket port (rosbridge's default is 9090; 0 picks a free one).", DefaultValueFactory = _ => 9090 }.Port(allowAny: true);
        var address = new Option<string>("--address") { Description = "Address to bind. Loopback by default; 0.0.0.0 exposes the robot to the network.", DefaultValueFactory = _ => "127.0.0.1" };
        var dialect = new Option<string>("--dialect") { Description = "ros1 (secs/nsecs, pkg/Type) or ros2 (sec/nanosec, pkg/msg/Type).", DefaultValueFactory = _ => "ros1" };
        var camera = new Option<bool>("--no-camera") { Description = "Do not render the head camera (640x480 RGB-D at 15 Hz otherwise)." };
        var seed = new Option<int>("--seed") { Description = "Twin seed.", DefaultValueFactory = _ => 0 };
        var seconds = new Option<double>("--seconds") { Description = "Stop after this many seconds (0 = until Ctrl+C).", DefaultValueFactory = _ => 0 }.Range(0, 1e9, "s");
        var sceneObject = new Option<string>("--object")
        {
            Description = "The task object whose ground-truth pose is published on " + FetchTopics.ObjectPose + " (PoseStamped, base_link, 30 Hz): " +
                          "cube (FetchPush/PickAndPlace, on the standard table), puck (FetchSlide, on the slide table) or none.",
            DefaultValueFactory = _ => "cube",
        };
        var auth = new Option<FileInfo?>("--auth")
        {
            Description = "Require rosauth authentication (roslibjs Ros.authenticate) with the secrets in FILE: one 'ROLE SECRET' a line, " +
                          "ROLE viewer (watch only), operator (command motion) or supervisor (also release any runstop); secrets of 16+ characters.",
        };
        var latency = new Option<string>("--latency")
        {
            Description = "Command -> motion latency the twin adds, half on commands and half on the joint state's age: none, " +
                          "measured (drawn from --seed in the rosbridge p50 range 18-31 ms, as the deployable tasks train with), or a total in ms (0-1000).",
            DefaultValueFactory = _ => "none",
        };
        var insecure = new Option<bool>("--insecure") { Description = "Serve beyond loopback without authentication (anyone who reaches the port can move the robot)." };
        var command = new Command("serve",
            "Serve the MuJoCo Fetch twin over rosbridge v2 (real-time physics, camera at its real rate) under the real Fetch's names.\n" +
            "Example: robotbridge serve --port 9090");
        command.Options.Add(port);
        command.Options.Add(address);
        command.Options.Add(dialect);
        command.Options.Add(camera);
        command.Options.Add(seed);
        command.Options.Add(seconds);
        command.Options.Add(sceneObject);
        command.Options.Add(auth);
        command.Options.Add(insecure);
        command.Options.Add(latency);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!IPAddress.TryParse(parse.GetValue(address), out var ip))
            {
                error.WriteLine($"robotbridge serve: --address must be an IP address, got '{parse.GetValue(address)}'");
                return Program.UsageError;
            }
            RosDialect? parsedDialect = parse.GetValue(dialect)?.ToLowerInvariant() switch
            {
                "ros1" => RosDialect.Ros1,
                "ros2" => RosDialect.Ros2,
                _ => null,
            };
            if (parsedDialect is not { } d)
            {
                error.WriteLine($"robotbridge serve: --dialect must be ros1 or ros2, got '{parse.GetValue(dialect)}'");
                return Program.UsageError;
            }
            string objectName = parse.GetValue(sceneObject)?.ToLowerInvariant() ?? "";
            if (objectName is not ("cube" or "puck" or "none"))
            {
                error.WriteLine($"robotbridge serve: --object must be cube, puck or none, got '{parse.GetValue(sceneObject)}'");
                return Program.UsageError;
            }
            if (ServedLatency(parse.GetValue(latency), parse.GetValue(seed)) is not { } delays)
            {
                error.WriteLine($"robotbridge serve: --latency must be none, measured or a total in ms between 0 and 1000, got '{parse.GetValue(latency)}'");
                return Program.UsageError;
            }
            ServerCredentials? credentials = null;
            if (parse.GetValue(auth) is { } authFile)
            {
                try
                {
                    credentials = ServerCredentials.Parse(File.ReadAllText(authFile.FullName), authFile.FullName);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    error.WriteLine($"robotbridge serve: --auth: {e.Message}");
                    return Program.UsageError;
                }
                if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(authFile.FullName) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
                {
                    error.WriteLine($"robotbridge serve: warning: {authFile.FullName} is readable by other users; chmod 600 it");
                }
            }
            if (!IPAddress.IsLoopback(ip) && credentials is null)
            {
                if (!parse.GetValue(insecure))
                {
                    error.WriteLine($"robotbridge serve: refusing to serve on {ip} without authentication: anyone who reaches it could move the robot. " +
                                    "Give --auth FILE, or --insecure if you really mean it.");
                    return Program.UsageError;
                }
                error.WriteLine($"WARNING: serving on {ip} WITHOUT AUTHENTICATION (--insecure): anyone who can reach port {parse.GetValue(port)} can move the robot and release its runstop.");
            }
            using var twin = new FetchTwin(new FetchTwinOptions
            {
                Seed = parse.GetValue(seed),
                ClockMode = TwinClockMode.RealTime,
                CommandLatency = delays.Command,
                ObservationLatency = delays.Observation,
                Camera = parse.GetValue(camera) ? HeadCameraOptions.Off : HeadCameraOptions.Carmine,
            });
            var server = new RosbridgeServer(new RosbridgeServerOptions { Address = ip, Port = parse.GetValue(port), Dialect = d, Credentials = credentials });
            try
            {
                server.Start();
            }
            catch (System.Net.Sockets.SocketException e)
            {
                error.WriteLine($"robotbridge serve: cannot listen on {ip}:{parse.GetValue(port)}: {e.Message}");
                return 1;
            }
            TwinObjectTracker? groundTruth = ServedTaskScene.Arrange(twin, objectName switch
            {
                "cube" => SceneObject.Cube,
                "puck" => SceneObject.Puck,
                _ => null,
            });
            using var node = new FetchRobotNode(server, twin, objectSource: groundTruth,
                objectTeleporter: groundTruth is null ? null : new TwinObjectTeleporter(twin, groundTruth.Item));
            node.ObjectPlacement += line => output.WriteLine(line);
            server.ClientConnected += s => output.WriteLine($"client {s.Id} connected from {s.Remote}");
            server.ClientAuthenticated += s => output.WriteLine($"client {s.Id} authenticated as {s.Role.LevelName()}");
            server.ClientDisconnected += (s, clean) => output.WriteLine(
                $"client {s.Id} disconnected ({s.DisconnectReason ?? (clean ? "closed" : "link lost")})");
            output.WriteLine($"serving the MuJoCo Fetch twin on {server.ListenUri}{(ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) ? " (every interface)" : "")} ({d}, real time, camera {(parse.GetValue(camera) ? "off" : "640x480 @ 15 Hz")}, " +
                             $"object {(groundTruth is null ? "none" : $"{groundTruth.Item.ToString().ToLowerInvariant()} on {FetchTopics.ObjectPose}, placed on request on {FetchTopics.PlaceObject}")})");
            foreach (var (topic, type) in server.Topics())
            {
                output.WriteLine($"  {topic}  [{type}]");
            }
            output.WriteLine($"latency: {(delays.Command + delays.Observation).TotalMilliseconds:F0} ms command -> motion ({delays.Command.TotalMilliseconds:F0} ms on commands, {delays.Observation.TotalMilliseconds:F0} ms joint-state age)");
            output.WriteLine(credentials is null
                ? "authentication: off (every client may command the robot)"
                : $"authentication: rosauth required (roles {credentials})");
            output.WriteLine("Ctrl+C to stop.");
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                double limit = parse.GetValue(seconds);
                var until = limit > 0 ? DateTime.UtcNow + TimeSpan.FromSeconds(limit) : DateTime.MaxValue;
                var report = new OverrunReport(node, TimeSpan.FromSeconds(10));
                while (!stop.IsCancellationRequested && DateTime.UtcNow < until)
                {
                    var left = until - DateTime.UtcNow;
                    stop.Token.WaitHandle.WaitOne(left < report.Period ? left : report.Period);
                    if (report.Poll() is { } line)
                    {
                        output.WriteLine(line);
                    }
                }
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            output.WriteLine($"stopping: {node.Ticks} node cycles, {node.Overruns} overruns, twin sim time {twin.SimTime.TotalSeconds:0.00} s");
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }

    /// <summary>The <c>--latency</c> value as the twin's command latency and joint-state age, or null when it
    /// is not one of none, measured, or a total in ms.</summary>
    internal static (TimeSpan Command, TimeSpan Observation)? ServedLatency(string? value, int seed)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "none":
                return (TimeSpan.Zero, TimeSpan.Zero);
            case "measured":
                return SimFetchBodyProvider.MeasuredLatency(new Random(seed).NextDouble());
        }
        if (!double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double ms) ||
            !double.IsFinite(ms) || ms < 0 || ms > 1000)
        {
            return null;
        }
        var half = TimeSpan.FromMilliseconds(ms / 2);
        return (TimeSpan.FromMilliseconds(ms) - half, half);
    }
}
