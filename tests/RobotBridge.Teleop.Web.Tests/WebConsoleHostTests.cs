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
