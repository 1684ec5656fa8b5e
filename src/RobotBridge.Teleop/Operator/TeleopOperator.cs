using System.Buffers;
using MQTTnet;
using MQTTnet.Protocol;
using RobotBridge.Robots;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Operator;

/// <summary>
/// The operator's end of MQTT teleop: publishes heartbeats, motion, trips and resets under the
/// operator's name, and keeps the latest robot state it hears (e-stop state, link, joints, loop
/// timing). Used by the <c>robotbridge teleop</c> console, the tests and the latency benchmark.
/// </summary>
public sealed class TeleopOperator : IAsyncDisposable
{
    /// <summary>Default life of a motion command: a few console periods, well inside the watchdog bound.</summary>
    public const int DefaultTtlMs = 200;

    private readonly IMqttClient _client;
    private readonly BrokerEndpoint _broker;
    private readonly TimeProvider _time;
    private readonly long[] _seq = new long[Enum.GetValues<OperatorChannel>().Length];
    private long _tripSeq;
    private volatile EStopStateMessage? _estop;
    private volatile LinkMessage? _link;
    private volatile JointTelemetry? _joints;
    private volatile LoopTimingMessage? _loop;
    private volatile CameraJpeg? _camera;
    private long _cameraFrames;

    public TeleopOperator(BrokerEndpoint broker, string robotId, string operatorId, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        TeleopTopics.RequireLevel(operatorId, nameof(operatorId));
        _broker = broker;
        Topics = new TeleopTopics(robotId);
        OperatorId = operatorId;
        _time = time ?? TimeProvider.System;
        // Sequence numbers start from the wall clock so a restarted console is newer than its last run.
        long start = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        Array.Fill(_seq, start);
        _tripSeq = start;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessage;
    }

    public TeleopTopics Topics { get; }
    public string OperatorId { get; }
    public bool IsConnected => _client.IsConnected;

    /// <summary>Operator monotonic time in ms (the <c>t_ms</c> of every message): system uptime, so it
    /// does not restart with the process.</summary>
    public static long NowMs => Environment.TickCount64;

    public EStopStateMessage? EStopState => _estop;
    public LinkMessage? Link => _link;
    public JointTelemetry? Joints => _joints;
    public LoopTimingMessage? LoopTiming => _loop;

    /// <summary>The latest head-camera JPEG from <c>telemetry/camera</c>.</summary>
    public CameraJpeg? Camera => _camera;

    /// <summary>Camera frames received so far.</summary>
    public long CameraFrames => Interlocked.Read(ref _cameraFrames);

    /// <summary>Raised on the MQTT receive thread for every <c>state/estop</c> message (retained one first).</summary>
    public event Action<EStopStateMessage>? EStopStateReceived;

    /// <summary>Raised for every <c>state/events</c> message.</summary>
    public event Action<SafetyEventMessage>? SafetyEventReceived;

    /// <summary>Connects and subscribes to the robot's state and telemetry. Throws with the broker's
    /// reason when refused.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        var options = _broker.ToClientOptions($"op-{OperatorId}-{Guid.NewGuid():N}"[..32]);
        var result = await _client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"broker {_broker} refused operator '{OperatorId}': {result.ResultCode} {result.ReasonString}");
        }
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.AllState).WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic(Topics.AllTelemetry).WithAtMostOnceQoS())
            .Build(), cancellationToken).ConfigureAwait(false);
    }

    public Task DisconnectAsync() => _client.DisconnectAsync(new MqttClientDisconnectOptions());

    public Task<MqttClientPublishResult> SendHeartbeatAsync(bool deadman, CancellationToken cancellationToken = default) =>
        _client.PublishAsync(TeleopDelivery.Heartbeat(Topics.Operator(OperatorId, OperatorChannel.Heartbeat),
            TeleopJson.Encode(new OperatorHeartbeat { Seq = Next(OperatorChannel.Heartbeat), TMs = NowMs, Deadman = deadman })),
            cancellationToken);

    /// <param name="createdAtMs">Operator time the command was made (default now); an older value
    /// models a command that waited before it was sent.</param>
    public Task<MqttClientPublishResult> SendGripperTwistAsync(Twist twist, bool deadman = true, int ttlMs = DefaultTtlMs,
        long? createdAtMs = null, CancellationToken cancellationToken = default) =>
        Motion(OperatorChannel.GripperTwist, new GripperTwistCommand
        {
            Seq = Next(OperatorChannel.GripperTwist), TMs = createdAtMs ?? NowMs, TtlMs = ttlMs, Deadman = deadman,
            Linear = [twist.Vx, twist.Vy, twist.Vz], Angular = [twist.Wx, twist.Wy, twist.Wz],
        }, ttlMs, cancellationToken);

    public Task<MqttClientPublishResult> SendBaseTwistAsync(double linearX, double angularZ, bool deadman = true,
        int ttlMs = DefaultTtlMs, CancellationToken cancellationToken = default) =>
        Motion(OperatorChannel.BaseTwist, new BaseTwistCommand
        {
            Seq = Next(OperatorChannel.BaseTwist), TMs = NowMs, TtlMs = ttlMs, Deadman = deadman, LinearX = linearX, AngularZ = angularZ,
        }, ttlMs, cancellationToken);

    public Task<MqttClientPublishResult> SendHeadAsync(double pan, double tilt, int durationMs = 500, bool deadman = true,
        int ttlMs = DefaultTtlMs, CancellationToken cancellationToken = default) =>
        Motion(OperatorChannel.Head, new HeadCommand
        {
            Seq = Next(OperatorChannel.Head), TMs = NowMs, TtlMs = ttlMs, Deadman = deadman, Pan = pan, Tilt = tilt, DurationMs = durationMs,
        }, ttlMs, cancellationToken);

    public Task<MqttClientPublishResult> SendGripperAsync(double separation, double maxEffort = 60, bool deadman = true,
        int ttlMs = DefaultTtlMs, CancellationToken cancellationToken = default) =>
        Motion(OperatorChannel.Gripper, new GripperCommand
        {
            Seq = Next(OperatorChannel.Gripper), TMs = NowMs, TtlMs = ttlMs, Deadman = deadman, Separation = separation, MaxEffort = maxEffort,
        }, ttlMs, cancellationToken);

    /// <summary>Trips the robot's e-stop (QoS 1; any account may).</summary>
    public Task<MqttClientPublishResult> TripAsync(string reason, CancellationToken cancellationToken = default) =>
        _client.PublishAsync(TeleopDelivery.Trip(Topics.EStopTrip, TeleopJson.Encode(new EStopTripRequest
        {
            Seq = Interlocked.Increment(ref _tripSeq), By = OperatorId, Reason = reason,
        })), cancellationToken);

    /// <summary>Asks the robot to release its latch (QoS 1; the robot decides whether this operator may).</summary>
    public Task<MqttClientPublishResult> ResetAsync(CancellationToken cancellationToken = default) =>
        _client.PublishAsync(TeleopDelivery.Reset(Topics.Operator(OperatorId, OperatorChannel.EStopReset),
            TeleopJson.Encode(new EStopResetRequest { Seq = Next(OperatorChannel.EStopReset), TMs = NowMs })), cancellationToken);

    private Task<MqttClientPublishResult> Motion<T>(OperatorChannel channel, T command, int ttlMs, CancellationToken cancellationToken) =>
        _client.PublishAsync(TeleopDelivery.Motion(Topics.Operator(OperatorId, channel), TeleopJson.Encode(command), ttlMs), cancellationToken);

    private long Next(OperatorChannel channel) => Interlocked.Increment(ref _seq[(int)channel]);

    private Task OnMessage(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        var bytes = message.Payload.IsSingleSegment ? message.Payload.FirstSpan : message.Payload.ToArray();
        try
        {
            if (message.Topic == Topics.EStopState)
            {
                var state = TeleopJson.Decode<EStopStateMessage>(bytes, message.Topic);
                _estop = state;
                EStopStateReceived?.Invoke(state);
            }
            else if (message.Topic == Topics.Link)
            {
                _link = TeleopJson.Decode<LinkMessage>(bytes, message.Topic);
            }
            else if (message.Topic == Topics.SafetyEvents)
            {
                SafetyEventReceived?.Invoke(TeleopJson.Decode<SafetyEventMessage>(bytes, message.Topic));
            }
            else if (message.Topic == Topics.Joints)
            {
                _joints = TeleopJson.Decode<JointTelemetry>(bytes, message.Topic);
            }
            else if (message.Topic == Topics.Camera)
            {
                _camera = CameraJpeg.From(message);
                Interlocked.Increment(ref _cameraFrames);
            }
            else if (message.Topic == Topics.LoopTiming)
            {
                _loop = TeleopJson.Decode<LoopTimingMessage>(bytes, message.Topic);
            }
        }
        catch (Exception ex) when (ex is TeleopPayloadException or FormatException)
        {
            // A display can skip one bad telemetry message; the next one replaces it.
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptions()).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Closing anyway.
            }
        }
        _client.Dispose();
    }
}

/// <summary>One frame of the robot's JPEG camera stream.</summary>
public sealed record CameraJpeg(byte[] Jpeg, int Width, int Height, double StampS)
{
    internal static CameraJpeg From(MqttApplicationMessage message)
    {
        string? Property(string name) => message.UserProperties?.FirstOrDefault(p => p.Name == name) is { } p ? System.Text.Encoding.UTF8.GetString(p.ValueBuffer.Span) : null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return new CameraJpeg(message.Payload.ToArray(),
            int.Parse(Property("width") ?? "0", inv), int.Parse(Property("height") ?? "0", inv), double.Parse(Property("stamp_s") ?? "0", inv));
    }
}
