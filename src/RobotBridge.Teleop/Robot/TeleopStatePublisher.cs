using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;

namespace RobotBridge.Teleop.Robot;

/// <summary>
/// The robot's outgoing side of MQTT teleop: one outbox, drained by one publish loop, so nothing that
/// publishes ever waits on the network (the latch's event handlers run inside its lock), and the
/// retained state messages (<c>state/estop</c>, <c>state/link</c>), remembered to be published again on
/// every reconnect and every refresh period.
/// </summary>
internal sealed class TeleopStatePublisher
{
    private readonly IMqttClient _client;
    private readonly TimeSpan _refreshPeriod;
    private readonly Channel<MqttApplicationMessage> _outbox =
        Channel.CreateUnbounded<MqttApplicationMessage>(); // multi-reader kind: it can report Count
    private readonly object _retainedGate = new();
    private readonly Dictionary<string, MqttApplicationMessage> _retained = new(StringComparer.Ordinal);
    private long _nextRefreshMs;
    private Task _publishLoop = Task.CompletedTask;

    /// <param name="refreshPeriod">How often the retained state is published again; zero: never.</param>
    public TeleopStatePublisher(IMqttClient client, TimeSpan refreshPeriod)
    {
        _client = client;
        _refreshPeriod = refreshPeriod;
    }

    /// <summary>Messages waiting to be published.</summary>
    public int Backlog => _outbox.Reader.Count;

    /// <summary>Ends when the outbox is completed (<see cref="Complete"/>) or the token is cancelled.</summary>
    public Task Completion => _publishLoop;

    public void Start(CancellationToken token) => _publishLoop = Task.Run(() => PublishLoopAsync(token), CancellationToken.None);

    /// <summary>No more messages; the publish loop ends once it has drained what is queued.</summary>
    public void Complete() => _outbox.Writer.TryComplete();

    public void Enqueue(MqttApplicationMessage message) => _outbox.Writer.TryWrite(message);

    /// <summary>Remembers a retained message without publishing it, unless one for its topic is remembered already.</summary>
    public void Seed(MqttApplicationMessage message)
    {
        lock (_retainedGate)
        {
            _retained.TryAdd(message.Topic, message);
        }
    }

    /// <summary>An empty retained publish deletes the broker's retained message on <paramref name="topic"/> (MQTT 5 §3.3.1.3).</summary>
    public void DeleteRetained(string topic) => Enqueue(new MqttApplicationMessageBuilder()
        .WithTopic(topic).WithPayload(Array.Empty<byte>()).WithRetainFlag(true).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    /// <summary>Publishes a retained state message and remembers it for <see cref="Refresh"/>.
    /// Remember and enqueue happen under one lock, so a refresh never queues an older state after a newer one.</summary>
    public void PublishRetained(MqttApplicationMessage message)
    {
        lock (_retainedGate)
        {
            _retained[message.Topic] = message;
            Enqueue(message);
        }
    }

    /// <summary>Publishes the latest retained state again every refresh period.
    /// A retained message alone does not reach every late subscriber: MQTTnet's broker reads its retained
    /// store before it adds a new subscription, so a state published between the two is missed by that
    /// subscriber, which keeps the older state (seen in CI: a console connecting at a trip saw no trip).</summary>
    public void Refresh(long nowMs)
    {
        if (_refreshPeriod <= TimeSpan.Zero || nowMs < _nextRefreshMs || !_client.IsConnected)
        {
            return;
        }
        _nextRefreshMs = nowMs + (long)_refreshPeriod.TotalMilliseconds;
        RepublishRetained();
    }

    /// <summary>Queues every remembered retained message again (after a reconnect).</summary>
    public void RepublishRetained()
    {
        lock (_retainedGate)
        {
            foreach (var message in _retained.Values)
            {
                Enqueue(message);
            }
        }
    }

    private async Task PublishLoopAsync(CancellationToken token)
    {
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (!_client.IsConnected)
                {
                    // State is republished on reconnect; telemetry and events of a dead link are not worth keeping.
                    continue;
                }
                try
                {
                    await _client.PublishAsync(message, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The disconnect handler trips the latch; nothing else to do for one lost publish.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
