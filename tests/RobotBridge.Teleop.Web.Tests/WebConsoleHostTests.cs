using System.Net;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Web.Tests;

/// <summary>The web console's host without a browser: what it serves, and that MQTT over its WebSocket
/// is the embedded broker itself (same accounts, same ACL, same message flow as TCP).</summary>
public sealed class WebConsoleHostTests
{
    private static readonly TeleopAccessPolicy Access = new(
    [
        new TeleopUser("robot", "r", TeleopRole.Robot),
        new TeleopUser("alice", "a", TeleopRole.Operator),
        new TeleopUser("visitor", "v", TeleopRole.Observer),
    ]);

    [Fact]
    public async Task Serves_the_page_and_its_mqtt_bundle_itself_under_a_same_origin_policy()
    {
        await using var web = new WebConsole(new WebConsoleOptions { Port = 0 });
        await web.StartAsync();
        using var http = new HttpClient { BaseAddress = web.Address };
        foreach (string path in new[] { "/", "/console.js", "/console.css", "/vendor/mqtt.min.js", "/config.json" })
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        }
        // Nothing the page loads comes from another host (no CDN): no absolute URL in the page or its script.
        foreach (string path in new[] { "/", "/console.js", "/console.css" })
        {
            string text = await http.GetStringAsync(path);
            Assert.DoesNotContain("http://", text);
            Assert.DoesNotContain("https://", text);
        }
        Assert.Contains("mqtt", await http.GetStringAsync("/vendor/mqtt.min.js"));
        string config = await http.GetStringAsync("/config.json");
        Assert.Contains("\"period_ms\":50", config);
        Assert.Contains("\"ttl_ms\":200", config);
        Assert.Contains("\"robot\":\"fetch\"", config);
        using var plain = await http.GetAsync(WebConsole.MqttPath);
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
    }

    [Fact]
    public async Task Mqtt_over_the_websocket_meets_the_brokers_accounts_and_acl_and_reaches_tcp_clients()
    {
        int port = FreePort();
        await using var web = new WebConsole(new WebConsoleOptions { Port = 0 });
        await using var broker = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions { Access = Access, Port = port, ExtraAdapters = [web.MqttAdapter] });
        await web.StartAsync();
        var topics = new TeleopTopics("fetch");

        using var tcpRobot = new MqttClientFactory().CreateMqttClient();
        await tcpRobot.ConnectAsync(new BrokerEndpoint { Port = port, UserName = "robot", Password = "r" }.ToClientOptions("robot"));
        var received = new List<string>();
        tcpRobot.ApplicationMessageReceivedAsync += e =>
        {
            lock (received)
            {
                received.Add(e.ApplicationMessage.Topic);
            }
            return Task.CompletedTask;
        };
        await tcpRobot.SubscribeAsync(topics.Base + "/#");

        string ws = $"ws://{web.Address.Authority}{WebConsole.MqttPath}";
        using var wrong = new MqttClientFactory().CreateMqttClient();
        var refused = await wrong.ConnectAsync(WebSocketOptions(ws, "visitor", "wrong"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, refused.ResultCode);

        using var visitor = new MqttClientFactory().CreateMqttClient();
        await visitor.ConnectAsync(WebSocketOptions(ws, "visitor", "v"));
        var trip = await visitor.PublishAsync(TeleopDelivery.Trip(topics.EStopTrip, Encoding.UTF8.GetBytes("{}")));
        Assert.True(trip.IsSuccess, $"an observer may trip: {trip.ReasonCode}");
        var reset = await visitor.PublishAsync(TeleopDelivery.Reset(topics.Operator("visitor", OperatorChannel.EStopReset), Encoding.UTF8.GetBytes("{}")));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, reset.ReasonCode);
        var alias = await visitor.PublishAsync(TeleopDelivery.Reset(topics.Operator("alice", OperatorChannel.EStopReset), Encoding.UTF8.GetBytes("{}")));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, alias.ReasonCode);

        for (int i = 0; i < 200 && !Seen(received, topics.EStopTrip); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(Seen(received, topics.EStopTrip), "the WebSocket client's trip reached the TCP robot client");
        Assert.False(Seen(received, topics.Operator("visitor", OperatorChannel.EStopReset)), "a refused publish reached a subscriber");
        Assert.Equal(2, broker.RefusedPublishes);
    }

    [Fact]
    public async Task The_mqtt_websocket_refuses_pages_of_other_sites_and_hosts_that_do_not_name_this_machine()
    {
        await using var web = new WebConsole(new WebConsoleOptions { Port = 0, AllowedHosts = ["console.lab.example"] });
        await using var broker = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions { Access = Access, Port = FreePort(), ExtraAdapters = [web.MqttAdapter] });
        await web.StartAsync();
        string own = web.Address.Authority; // 127.0.0.1:PORT

        // The console's own page (what the browser sends for it), a client that is no browser, a listed name.
        Assert.StartsWith("HTTP/1.1 101", await UpgradeAsync(web.Address, own, $"http://{own}"));
        Assert.StartsWith("HTTP/1.1 101", await UpgradeAsync(web.Address, own, origin: null));
        Assert.StartsWith("HTTP/1.1 101", await UpgradeAsync(web.Address, $"console.lab.example:{web.Address.Port}", $"http://console.lab.example:{web.Address.Port}"));
        Assert.StartsWith("HTTP/1.1 101", await UpgradeAsync(web.Address, $"localhost:{web.Address.Port}", $"http://localhost:{web.Address.Port}"));

        // A page of another site open in the operator's browser (cross-site WebSocket hijacking).
        string crossSite = await UpgradeAsync(web.Address, own, "http://evil.example");
        Assert.StartsWith("HTTP/1.1 403", crossSite);
        Assert.Contains("Origin 'http://evil.example' is not this console's own", crossSite);
        // The same page after its DNS name was pointed at the robot: same-origin with itself, wrong Host.
        string rebound = await UpgradeAsync(web.Address, $"evil.example:{web.Address.Port}", $"http://evil.example:{web.Address.Port}");
        Assert.StartsWith("HTTP/1.1 403", rebound);
        Assert.Contains("DNS rebinding", rebound);
    }

    [Fact]
    public async Task A_busy_web_port_ends_teleop_serve_in_one_line_and_takes_the_broker_down_with_it()
    {
        string users = Path.GetTempFileName();
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int webPort = ((IPEndPoint)busy.LocalEndpoint).Port;
        int mqttPort = FreePort();
        try
        {
            await File.WriteAllTextAsync(users, "robot:r:robot\nalice:a:operator\n");
            var (code, output) = await ServeProcess.RunAsync("teleop", "serve", "--users", users, "--port", mqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--web-port", webPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seconds", "30");
            Assert.Equal(1, code);
            Assert.Contains($"web console could not listen on 127.0.0.1:{webPort}", output);
            Assert.DoesNotContain("   at ", output);
            // The process ended and its broker with it: the MQTT port is free again.
            using var again = new TcpListener(IPAddress.Loopback, mqttPort);
            again.Start();
        }
        finally
        {
            File.Delete(users);
        }
    }

    [Fact]
    public async Task Web_port_with_an_external_broker_is_a_usage_error()
    {
        string users = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(users, "robot:r:robot\n");
            var (code, output) = await ServeProcess.RunAsync("teleop", "serve", "--users", users, "--external", "127.0.0.1", "--web-port", "0");
            Assert.Equal(2, code);
            Assert.Contains("--web-port needs the embedded broker", output);
            Assert.DoesNotContain("   at ", output);
        }
        finally
        {
            File.Delete(users);
        }
    }

    /// <summary>A browser's WebSocket upgrade to /mqtt written by hand (a browser's Host and Origin cannot be
    /// set from .NET's clients); returns the response's status line and body.</summary>
    private static async Task<string> UpgradeAsync(Uri address, string host, string? origin)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        using var stream = tcp.GetStream();
        string request = $"GET {WebConsole.MqttPath} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n" +
                         (origin is null ? "" : $"Origin: {origin}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int n = await stream.ReadAsync(buffer, timeout.Token);
            if (n == 0)
            {
                break;
            }
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        if (text.ToString().StartsWith("HTTP/1.1 403", StringComparison.Ordinal) && !text.ToString().Contains("refused", StringComparison.Ordinal) && !text.ToString().Contains("not this console", StringComparison.Ordinal))
        {
            // The reason is the body, which may come in a later read.
            int n = await stream.ReadAsync(buffer, timeout.Token);
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return text.ToString();
    }

    private static bool Seen(List<string> received, string topic)
    {
        lock (received)
        {
            return received.Contains(topic);
        }
    }

    private static MqttClientOptions WebSocketOptions(string uri, string user, string password) =>
        new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri(uri))
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"ws-{user}-{Guid.NewGuid():N}"[..20])
            .WithCredentials(user, password)
            .Build();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
