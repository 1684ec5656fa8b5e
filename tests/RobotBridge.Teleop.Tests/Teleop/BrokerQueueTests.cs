using System.Net.Sockets;
using System.Text;
using MQTTnet;
using RobotBridge.Safety;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Robot;

namespace RobotBridge.Teleop.Tests.Teleop;

/// <summary>MQTTnet drops queued messages silently past MaxPendingMessagesPerClient; here a drop is
/// reported, and a drop toward the robot trips the e-stop.</summary>
public sealed class BrokerQueueTests
{
    [Fact]
    public async Task A_drop_from_the_robots_queue_trips_the_estop()
    {
        int port = FreePort.Next();
        await using var broker = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions
        {
            Access = TestUsers.Policy(), Port = port, MaxPendingMessagesPerClient = 16,
        });
        var latch = new EStopLatch();
        // The bridge is not started: a client that stops reading its socket takes its client id, so the
        // broker's queue for "the robot" fills up.
        using var twin = new Sim.Twin.FetchTwin();
        await using var bridge = new TeleopBridge(twin, latch, new TeleopBridgeOptions
        {
            Broker = new BrokerEndpoint { Port = port, UserName = TestUsers.Robot, Password = TestUsers.Password(TestUsers.Robot) },
        });
        bridge.WatchBrokerQueue(broker);
        latch.Clear(TeleopBridge.LinkSource);
        latch.Clear(TeleopBridge.HeartbeatSource);

        using var stalled = await StalledSubscriberAsync(port, bridge.ClientId, "robotbridge/fetch/op/#");
        using var flood = new MqttClientFactory().CreateMqttClient();
        await flood.ConnectAsync(new BrokerEndpoint { Port = port, UserName = TestUsers.Alice, Password = TestUsers.Password(TestUsers.Alice) }.ToClientOptions("flood"));
        var payload = new byte[64 * 1024];
        for (int i = 0; i < 600 && broker.DroppedMessages == 0; i++)
        {
            await flood.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("robotbridge/fetch/op/alice/heartbeat").WithPayload(payload).Build());
        }

        await Eventually.True(() => broker.DroppedMessages > 0, "the stalled client's queue overflows");
        await Eventually.True(() => latch.Log.Snapshot().Any(e => e.Kind == SafetyEventKind.Trip && e.Source == TeleopBridge.QueueSource),
            "the drop trips the latch");
    }

    /// <summary>An MQTT 3.1.1 client written byte by byte that subscribes and then never reads.</summary>
    private static async Task<Socket> StalledSubscriberAsync(int port, string clientId, string filter)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync("127.0.0.1", port);
        byte[] Str(string s) { var b = Encoding.UTF8.GetBytes(s); return [(byte)(b.Length >> 8), (byte)b.Length, .. b]; }
        byte[] Packet(byte type, byte[] body)
        {
            var length = new List<byte>();
            int n = body.Length;
            do { byte d = (byte)(n % 128); n /= 128; length.Add(n > 0 ? (byte)(d | 0x80) : d); } while (n > 0);
            return [type, .. length, .. body];
        }
        byte[] connect = [.. Str("MQTT"), 4, 0xC2, 0, 60, .. Str(clientId), .. Str(TestUsers.Robot), .. Str(TestUsers.Password(TestUsers.Robot))];
        await socket.SendAsync(Packet(0x10, connect));
        var ack = new byte[4];
        await socket.ReceiveAsync(ack);
        Assert.Equal(0, ack[3]); // CONNACK accepted
        await socket.SendAsync(Packet(0x82, [0, 1, .. Str(filter), 0]));
        return socket;
    }
}
