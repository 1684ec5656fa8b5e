using MQTTnet;
using MQTTnet.Protocol;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Robot;

/// <summary>
/// The robot's MQTT connection: the client with its clean start and retained "offline" will, the
/// subscriptions (operator topics and <c>estop/trip</c>, never stored copies), and the loop that
/// connects and reconnects until stopped. What a connection means for safety (the link stop source,
/// the retained state) is the bridge's: it is told through the callbacks.
/// </summary>
internal sealed class TeleopConnection : IDisposable
{
    private readonly BrokerEndpoint _broker;
    private readonly TeleopTopics _topics;
    private readonly MqttClientOptions _clientOptions;
    private readonly TimeSpan _reconnectDelay;
    private readonly TimeProvider _time;
    private volatile string? _lastError;

    public TeleopConnection(BrokerEndpoint broker, string clientId, TeleopTopics topics, TimeSpan reconnectDelay, TimeProvider time)
    {
        _broker = broker;
        _topics = topics;
        _reconnectDelay = reconnectDelay;
        _time = time;
        _clientOptions = ClientOptions(broker, clientId, topics);
        Client = new MqttClientFactory().CreateMqttClient();
    }

    public IMqttClient Client { get; }

    public bool IsConnected => Client.IsConnected;

    /// <summary>Why the last attempt to connect failed, or null.</summary>
    public string? LastError => _lastError;

    /// <summary>Connects, subscribes and calls <paramref name="connected"/>; whenever the client is found
    /// disconnected, does it again after the reconnect delay; a failed attempt calls <paramref name="failed"/>
    /// with the reason. Runs until <paramref name="token"/> is cancelled.</summary>
    public async Task RunAsync(Action connected, Action<string> failed, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            if (!Client.IsConnected)
            {
                try
                {
                    var result = await Client.ConnectAsync(_clientOptions, token).ConfigureAwait(false);
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new InvalidOperationException($"broker refused the robot's connection: {result.ResultCode} {result.ReasonString}");
                    }
                    await SubscribeAsync(token).ConfigureAwait(false);
                    connected();
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    _lastError = $"{ex.GetType().Name}: {ex.Message}";
                    failed(ex.Message);
                }
            }
            try
            {
                await Task.Delay(_reconnectDelay, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Says goodbye when still connected: publishes <paramref name="offline"/> and disconnects
    /// (best effort; the will covers a goodbye that does not arrive).</summary>
    public async Task CloseAsync(MqttApplicationMessage offline)
    {
        if (!Client.IsConnected)
        {
            return;
        }
        try
        {
            await Client.PublishAsync(offline).ConfigureAwait(false);
            await Client.DisconnectAsync(new MqttClientDisconnectOptions()).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Closing anyway.
        }
    }

    public void Dispose() => Client.Dispose();

    /// <summary>The robot's connection: clean start (no queued commands from before), and a retained
    /// will that marks the bridge offline if it dies without saying goodbye.</summary>
    private static MqttClientOptions ClientOptions(BrokerEndpoint broker, string clientId, TeleopTopics topics)
    {
        var will = TeleopJson.Encode(new LinkMessage { Online = false, TimeUtc = DateTimeOffset.UnixEpoch });
        return broker.ToClientOptions(clientId, b => b
            .WithWillTopic(topics.Link)
            .WithWillPayload(will)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillContentType(TeleopDelivery.JsonContentType));
    }

    private async Task SubscribeAsync(CancellationToken token)
    {
        // Stored (retained) commands are never sent on subscribe. Retain-as-published keeps the flag on
        // commands forwarded live (a broker clears it by default), so a retained command is recognised and
        // refused. No-local: the bridge's own deletion of a retained copy does not come back to it.
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(_topics.AllOperators).WithAtLeastOnceQoS()
                .WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe).WithRetainAsPublished(true).WithNoLocal(true))
            .WithTopicFilter(f => f.WithTopic(_topics.EStopTrip).WithAtLeastOnceQoS()
                .WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe).WithRetainAsPublished(true).WithNoLocal(true))
            .Build();
        var result = await Client.SubscribeAsync(subscribe, token).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if ((int)item.ResultCode >= 0x80)
            {
                throw new InvalidOperationException(
                    $"broker refused subscription '{item.TopicFilter.Topic}' ({item.ResultCode}); does user '{_broker.UserName}' have the robot role?");
            }
        }
    }
}
