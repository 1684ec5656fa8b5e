using MQTTnet;
using RobotBridge.Teleop.Operator;

namespace RobotBridge.Teleop.Tests.Teleop;

/// <summary>Users, passwords and TLS on both brokers.</summary>
public sealed class TeleopSecurityTests
{
    private static async Task<ITestBroker> Start(string kind, bool tls)
    {
        var certificate = tls ? TestCertificates.CreateServerCertificate() : null;
        return kind == "embedded"
            ? await EmbeddedTestBroker.StartAsync(certificate)
            : await MosquittoTestBroker.StartAsync(certificate);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task Over_tls_an_operator_drives_and_trips(string kind)
    {
        await using var broker = await Start(kind, tls: true);
        await using var rig = await TeleopRig.StartAsync(broker);
        var (alice, _) = await rig.ArmAsync();

        await alice.TripAsync("tls trip");

        await Eventually.True(() => rig.Latch.IsStopped, "the trip arrives over TLS");
        await Eventually.True(() => alice.EStopState is { Stopped: true }, "the state comes back over TLS");
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task A_client_that_does_not_trust_the_broker_certificate_cannot_connect(string kind)
    {
        await using var broker = await Start(kind, tls: true);
        var untrusting = broker.EndpointFor(TestUsers.Alice) with { TrustedCertificate = null };
        await using var op = new TeleopOperator(untrusting, "fetch", TestUsers.Alice);

        await Assert.ThrowsAnyAsync<Exception>(() => op.ConnectAsync());
        Assert.False(op.IsConnected);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task Wrong_password_and_anonymous_clients_are_refused(string kind)
    {
        await using var broker = await Start(kind, tls: false);
        var wrong = broker.EndpointFor(TestUsers.Alice) with { Password = "guess" };
        var anonymous = broker.EndpointFor(TestUsers.Alice) with { UserName = null, Password = null };

        foreach (var endpoint in new[] { wrong, anonymous })
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            MqttClientConnectResultCode code;
            try
            {
                code = (await client.ConnectAsync(endpoint.ToClientOptions("intruder"))).ResultCode;
            }
            catch (MQTTnet.Adapter.MqttConnectingFailedException)
            {
                code = MqttClientConnectResultCode.NotAuthorized;
            }
            Assert.NotEqual(MqttClientConnectResultCode.Success, code);
            Assert.False(client.IsConnected, $"{endpoint} must be refused");
        }
    }
}
