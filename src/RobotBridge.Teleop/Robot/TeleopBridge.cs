using System.Buffers;
using MQTTnet;
using MQTTnet.Protocol;
using RobotBridge.Control;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Robot;

/// <summary>
/// The robot's end of MQTT teleop. Connects to a broker with the robot's account, turns operator
/// messages into commands on an <see cref="IRobot"/> (pass the safety supervisor, so teleop commands
/// are clamped like any other) — posted to the control loop's <see cref="TeleopBridgeOptions.Commands"/>
/// mailbox when there is a loop, so they reach the robot on its thread — feeds the e-stop latch and the heartbeat watchdog, and publishes the
/// retained e-stop state, the safety event history and telemetry.
/// </summary>
/// <remarks>
/// <para>Stops, in order of how they reach the robot:</para>
/// <list type="bullet">
/// <item>a message on <c>estop/trip</c> from anyone trips the latch at once, whatever its payload;</item>
/// <item>no heartbeat from an authorised operator for <see cref="TeleopBridgeOptions.HeartbeatTimeout"/> trips
/// the latch (watchdog source <c>teleop-heartbeat</c>; also before the first operator appears);</item>
/// <item>losing the broker trips the latch (source <c>mqtt-link</c>) until the link is back;</item>
/// <item>releasing the dead-man stops the robot without latching (an enabling switch, not an e-stop):
/// the next motion needs the dead-man held again, not a reset;</item>
/// <item>a motion command is executed only if it is fresh (age ≤ ttl_ms), newer than the last on its
/// topic, from an authorised operator holding the dead-man, and the latch is running; a twist stops
/// when its ttl_ms runs out.</item>
/// </list>
/// <para>Time comes from <see cref="TeleopBridgeOptions.Time"/> (the wall clock): the operator is a human on a
/// network, whatever clock the robot runs on.</para>
/// </remarks>
public sealed class TeleopBridge : IAsyncDisposable
{
    public static readonly EStopSource LinkSource = EStopSource.Teleop("mqtt-link");
    public static readonly EStopSource HeartbeatSource = EStopSource.Watchdog("teleop-heartbeat");
    public static readonly EStopSource QueueSource = EStopSource.Teleop("broker-queue");

    private readonly IRobot _robot;
    private readonly EStopLatch _latch;
    private readonly TeleopBridgeOptions _options;
    private readonly TeleopTopics _topics;
    private readonly TimeProvider _time;
    private readonly long _t0;
    private readonly TeleopConnection _connection;
    private readonly CameraJpegStream? _camera;
    private readonly TeleopStatePublisher _publisher;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly OperatorAdmission _admission; // guarded by _gate
    private readonly RobotState _state = new();
    private readonly TickTiming _tickTiming;
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _tickThread;
    private Task _connectionLoop = Task.CompletedTask;
    private long _nextTelemetryMs;
    private int _disposed;
    private Brokers.EmbeddedBroker? _watchedBroker;
    private readonly bool _guardStopsRobot;

    /// <summary>A bridge in front of a safety guard: it commands the guard's supervised robot and
    /// trips and resets the guard's latch; the guard stops the robot on every trip.</summary>
    public TeleopBridge(ISafetyGuard guard, TeleopBridgeOptions options)
        : this((guard ?? throw new ArgumentNullException(nameof(guard))).Robot, guard.Latch, options)
    {
        _guardStopsRobot = true;
    }

    /// <summary>A bridge on a robot without a guard: with <see cref="TeleopBridgeOptions.StopRobotOnTrip"/>
    /// it stops the robot itself on every trip of <paramref name="latch"/>.</summary>
    public TeleopBridge(IRobot robot, EStopLatch latch, TeleopBridgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(robot);
        ArgumentNullException.ThrowIfNull(latch);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Broker, nameof(options.Broker));
        if (options.HeartbeatTimeout <= TimeSpan.Zero || options.TickPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "HeartbeatTimeout and TickPeriod must be positive");
        }
        _robot = robot;
        _latch = latch;
        _options = options;
        _topics = new TeleopTopics(options.RobotId);
        _time = options.Time;
        _t0 = _time.GetTimestamp();
        _tickTiming = new TickTiming(options.TickPeriod);
        ClientId = options.ClientId ?? $"robotbridge-{options.RobotId}";
        Stats = new TeleopBridgeStats();
        _admission = new OperatorAdmission(options.AuthorisedOperators, options.HeartbeatTimeout, options.AgeWindow, Stats);
        Watchdog = new HeartbeatWatchdog(latch, HeartbeatSource, options.HeartbeatTimeout, () => _time.GetElapsedTime(_t0));
        if (options.CameraJpegQuality is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CameraJpegQuality, "CameraJpegQuality must be in 1..100");
        }
        _camera = options.CameraPeriod > TimeSpan.Zero
            ? new CameraJpegStream(options.CameraPeriod, options.CameraJpegQuality, _time, PublishJpeg)
            : null;
        _connection = new TeleopConnection(options.Broker, ClientId, _topics, options.ReconnectDelay, _time);
        _publisher = new TeleopStatePublisher(_connection.Client, options.RetainedRefreshPeriod);
        _connection.Client.ApplicationMessageReceivedAsync += OnMessageReceived;
        _connection.Client.DisconnectedAsync += OnDisconnected;
        _latch.Tripped += OnTripped;
        _latch.EventRaised += OnSafetyEvent;
        // Seeded only if no event got there first: every later change of the latch raises an event.
        _publisher.Seed(StateMessage(_latch.Snapshot, eventSeq: _latch.Log.Count));
        // Not connected yet: the link is down until proven up (fail safe).
        _latch.Trip(LinkSource, $"not connected to broker {options.Broker} yet");
    }

    public TeleopTopics Topics => _topics;
    public string ClientId { get; }
    public TeleopBridgeStats Stats { get; }

    /// <summary>The operator heartbeat watchdog this bridge feeds.</summary>
    public HeartbeatWatchdog Watchdog { get; }

    public bool IsConnected => _connection.IsConnected;

    /// <summary>Starts connecting (and reconnecting) in the background, and the tick timer.</summary>
    public void Start()
    {
        if (_tickThread is not null)
        {
            throw new InvalidOperationException("the teleop bridge is already started");
        }
        _publisher.Start(_stopping.Token);
        _connectionLoop = Task.Run(() => _connection.RunAsync(OnConnected, OnConnectFailed, _stopping.Token));
        // A thread of its own, not a thread-pool timer: a starved pool must not delay a watchdog stop.
        _tickThread = new Thread(TickLoop) { IsBackground = true, Name = "teleop-watchdog", Priority = ThreadPriority.AboveNormal };
        _tickThread.Start();
    }

    /// <summary>Completes once the bridge has connected and subscribed for the first time.</summary>
    public async Task WaitUntilConnectedAsync(TimeSpan timeout)
    {
        try
        {
            await _firstConnect.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(
                $"teleop bridge did not connect to {_options.Broker} within {timeout.TotalSeconds:F1} s; last error: {_connection.LastError ?? "none"}", ex);
        }
    }

    /// <summary>
    /// Trips the latch (source <c>Teleop:broker-queue</c>) whenever <paramref name="broker"/> drops a
    /// message queued for this bridge's client: the lost message could have been a trip. For the
    /// embedded broker running in the robot's process; an external broker cannot tell us.
    /// </summary>
    public void WatchBrokerQueue(Brokers.EmbeddedBroker broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        broker.MessageDropped += OnBrokerDropped;
        _watchedBroker = broker;
    }

    private void OnBrokerDropped(string receiverClientId, string? topic)
    {
        if (receiverClientId == ClientId)
        {
            _latch.TripMomentary(QueueSource, $"the broker dropped a message queued for the robot ({topic ?? "unknown topic"})");
        }
    }

    /// <summary>Offers a head-camera frame for the JPEG stream (throttled to <see cref="TeleopBridgeOptions.CameraPeriod"/>).
    /// Cheap and non-blocking; the caller keeps the frame.</summary>
    public void OfferCameraFrame(CameraFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_connection.IsConnected)
        {
            _camera?.Offer(frame);
        }
    }

    private void PublishJpeg(byte[] jpeg, int width, int height, TimeSpan stamp) =>
        _publisher.Enqueue(TeleopDelivery.CameraJpeg(_topics.Camera, jpeg, width, height, stamp));

    private long NowMs => (long)_time.GetElapsedTime(_t0).TotalMilliseconds;

    // ---------------------------------------------------------------- connection

    /// <summary>Connected and subscribed: the link is up, the retained state goes out again.</summary>
    private void OnConnected()
    {
        Stats.CountConnect();
        _publisher.PublishRetained(TeleopDelivery.RetainedState(_topics.Link, TeleopJson.Encode(new LinkMessage
        {
            Online = true, Robot = _robot.Link.ToString(), TimeUtc = _time.GetUtcNow(),
        })));
        _publisher.RepublishRetained();
        _latch.Clear(LinkSource, $"connected to broker {_options.Broker}");
        _firstConnect.TrySetResult();
    }

    private void OnConnectFailed(string why) => _latch.Trip(LinkSource, $"cannot connect to broker {_options.Broker}: {why}");

    private Task OnDisconnected(MqttClientDisconnectedEventArgs args)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            string why = args.ReasonString ?? args.Exception?.Message ?? args.Reason.ToString();
            _latch.Trip(LinkSource, $"broker connection lost ({args.Reason}): {why}");
        }
        return Task.CompletedTask;
    }

    // ---------------------------------------------------------------- inbound

    private Task OnMessageReceived(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        long nowMs = NowMs;
        try
        {
            if (message.Topic == _topics.EStopTrip)
            {
                // A retained trip still stops the robot; its stored copy is deleted so it cannot stop it again later.
                if (message.Retain) _publisher.DeleteRetained(message.Topic);
                HandleTrip(message.Payload);
            }
            else if (_topics.TryParseOperatorTopic(message.Topic, out string operatorId, out var channel))
            {
                HandleOperator(message, operatorId, channel, nowMs);
            }
        }
        catch (Exception ex)
        {
            // Nothing from the network may take the bridge down; a fault here stops the robot.
            _latch.TripMomentary(EStopSource.Teleop("bridge"), $"fault handling '{message.Topic}': {ex.GetType().Name}: {ex.Message}");
        }
        return Task.CompletedTask;
    }

    private void HandleTrip(ReadOnlySequence<byte> payload)
    {
        // Trip first, parse after: a garbled trip still stops the robot.
        string by = "anonymous";
        string reason = "e-stop requested over MQTT";
        try
        {
            var request = TeleopJson.Decode<EStopTripRequest>(Bytes(payload), _topics.EStopTrip);
            by = string.IsNullOrWhiteSpace(request.By) ? by : request.By;
            reason = string.IsNullOrWhiteSpace(request.Reason) ? reason : request.Reason;
        }
        catch (TeleopPayloadException ex)
        {
            reason = $"e-stop requested over MQTT (unreadable payload: {ex.Message})";
        }
        Stats.CountTrip();
        _latch.TripMomentary(EStopSource.Teleop($"mqtt:{by}"), reason);
    }

    private void HandleOperator(MqttApplicationMessage message, string operatorId, OperatorChannel channel, long nowMs)
    {
        if (message.Retain)
        {
            // A stored command would replay to a later subscriber: refused here, and its copy deleted on a
            // broker that kept it (mosquitto cannot refuse the flag per topic; the embedded broker refuses it).
            Stats.CountRefused(RefusalReason.Retained);
            _publisher.DeleteRetained(message.Topic);
            return;
        }
        lock (_gate)
        {
            if (!_admission.Authorised(operatorId, channel))
            {
                return;
            }
        }
        var bytes = Bytes(message.Payload);
        try
        {
            switch (channel)
            {
                case OperatorChannel.Heartbeat:
                    OnHeartbeat(operatorId, TeleopJson.Decode<OperatorHeartbeat>(bytes, message.Topic), nowMs);
                    break;
                case OperatorChannel.EStopReset:
                    OnReset(operatorId, TeleopJson.Decode<EStopResetRequest>(bytes, message.Topic), nowMs);
                    break;
                case OperatorChannel.GripperTwist:
                    OnMotion(operatorId, channel, TeleopJson.Decode<GripperTwistCommand>(bytes, message.Topic), nowMs);
                    break;
                case OperatorChannel.BaseTwist:
                    OnMotion(operatorId, channel, TeleopJson.Decode<BaseTwistCommand>(bytes, message.Topic), nowMs);
                    break;
                case OperatorChannel.Head:
                    OnMotion(operatorId, channel, TeleopJson.Decode<HeadCommand>(bytes, message.Topic), nowMs);
                    break;
                case OperatorChannel.Gripper:
                    OnMotion(operatorId, channel, TeleopJson.Decode<GripperCommand>(bytes, message.Topic), nowMs);
                    break;
            }
        }
        catch (TeleopPayloadException)
        {
            Stats.CountRefused(RefusalReason.BadPayload);
        }
    }

    private void OnHeartbeat(string operatorId, OperatorHeartbeat beat, long nowMs)
    {
        HeartbeatVerdict verdict;
        lock (_gate)
        {
            verdict = _admission.Heartbeat(operatorId, beat, nowMs);
        }
        if (verdict == HeartbeatVerdict.Refused)
        {
            return;
        }
        Stats.CountHeartbeat();
        Watchdog.Beat(deadmanHeld: true);
        if (verdict == HeartbeatVerdict.AdmittedStopMotion)
        {
            StopRobot($"dead-man released by operator '{operatorId}'");
        }
    }

    private void OnReset(string operatorId, EStopResetRequest reset, long nowMs)
    {
        lock (_gate)
        {
            if (!_admission.AdmitReset(operatorId, reset, nowMs))
            {
                return;
            }
        }
        // The latch decides who may reset and logs refusals in the safety history.
        _latch.TryReset(operatorId);
    }

    private void OnMotion(string operatorId, OperatorChannel channel, IMotionCommand command, long nowMs)
    {
        lock (_gate)
        {
            if (!_admission.AdmitMotion(operatorId, channel, command, _latch.IsStopped, nowMs))
            {
                return;
            }
            try
            {
                Execute(command);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                Stats.CountRefused(RefusalReason.RobotRejected);
                _admission.ClearMotion();
                StopRobot($"teleop command on {TeleopTopics.ChannelPath(channel)} rejected: {ex.Message}");
                return;
            }
            _admission.Executed(operatorId, command, nowMs);
        }
        Stats.CountExecuted();
        if (_latch.IsStopped)
        {
            // The latch tripped while the command was on its way to the robot: stop again after it.
            StopRobot("e-stop tripped while a teleop command was being sent");
        }
    }

    private void Execute(IMotionCommand command)
    {
        switch (command)
        {
            case GripperTwistCommand t:
                SendCartesianTwist(new Twist(t.Linear[0], t.Linear[1], t.Linear[2], t.Angular[0], t.Angular[1], t.Angular[2]));
                break;
            case BaseTwistCommand b:
                SendBaseTwist(new Twist(b.LinearX, 0, 0, 0, 0, b.AngularZ));
                break;
            case HeadCommand h:
                var head = new JointTrajectory(JointGroup.Head, [new TrajectoryPoint([h.Pan, h.Tilt], null, TimeSpan.FromMilliseconds(h.DurationMs))]);
                if (_options.Commands is { } mailbox)
                {
                    head.Validate(); // refused here, as the robot would: the loop must not fault on an operator's typo
                    mailbox.PostTrajectory(head);
                }
                else
                {
                    _robot.SendTrajectory(head);
                }
                break;
            case GripperCommand g:
                if (_options.Commands is { } gripperMailbox)
                {
                    gripperMailbox.PostGripper(g.Separation, g.MaxEffort);
                }
                else
                {
                    _robot.SendGripper(g.Separation, g.MaxEffort);
                }
                break;
        }
    }

    // Through the loop's mailbox when there is a loop (the loop's thread sends), else straight to the robot.
    private void SendCartesianTwist(in Twist twist)
    {
        if (_options.Commands is { } mailbox)
        {
            mailbox.PostCartesianTwist(twist);
        }
        else
        {
            _robot.SendCartesianTwist(twist);
        }
    }

    private void SendBaseTwist(in Twist twist)
    {
        if (_options.Commands is { } mailbox)
        {
            mailbox.PostBaseTwist(twist);
        }
        else
        {
            _robot.SendBaseTwist(twist);
        }
    }

    /// <summary>Stops now, on this thread; with a loop, what waits in its mailbox is dropped first, so no
    /// command posted before the stop reaches the robot after it.</summary>
    private void StopRobot(string reason)
    {
        if (_options.Commands is { } mailbox)
        {
            mailbox.Stop(_robot, reason);
        }
        else
        {
            _robot.Stop(reason);
        }
    }

    // ---------------------------------------------------------------- tick

    private void TickLoop()
    {
        // Wall-clock grid without spinning: the watchdog's bound is 100s of ms, a tick 20 ms.
        var scheduler = new FixedRateScheduler(new WallClock(spinThreshold: TimeSpan.Zero), _options.TickPeriod,
            new FixedRateSchedulerOptions { TimingCapacity = 256 });
        scheduler.Run(Tick, _stopping.Token);
    }

    private void Tick()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        try
        {
            long nowMs = NowMs;
            _tickTiming.Record(_time.GetTimestamp(), _time);
            Watchdog.Check();
            ExpireMotion(nowMs);
            PublishTelemetry(nowMs);
            _publisher.Refresh(nowMs);
        }
        catch (Exception ex)
        {
            _latch.TripMomentary(EStopSource.Teleop("bridge"), $"teleop bridge tick failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void ExpireMotion(long nowMs)
    {
        MotionExpiry expiry;
        lock (_gate)
        {
            expiry = _admission.Expire(nowMs);
        }
        if (expiry.StopReason is { } stopReason)
        {
            StopRobot(stopReason);
            return;
        }
        // A twist stream that ends is a twist of zero, not a stop: goals of other groups keep running.
        if (expiry.ZeroTwist)
        {
            SendCartesianTwist(Twist.Zero);
        }
        if (expiry.ZeroBase)
        {
            SendBaseTwist(Twist.Zero);
        }
    }

    private void PublishTelemetry(long nowMs)
    {
        if (_options.TelemetryPeriod <= TimeSpan.Zero || nowMs < _nextTelemetryMs || !_connection.IsConnected || _publisher.Backlog > 32)
        {
            return;
        }
        _nextTelemetryMs = nowMs + (long)_options.TelemetryPeriod.TotalMilliseconds;
        _robot.ReadState(_state);
        _publisher.Enqueue(TeleopDelivery.Telemetry(_topics.Joints, TeleopJson.Encode(new JointTelemetry
        {
            StampS = _state.Stamp.TotalSeconds,
            Names = FetchJoints.All,
            Position = (double[])_state.Position.Clone(),
            Velocity = (double[])_state.Velocity.Clone(),
            Runstopped = _state.Runstopped,
        })));
        var timing = _options.LoopTiming?.Invoke() ?? _tickTiming.ToMessage();
        _publisher.Enqueue(TeleopDelivery.Telemetry(_topics.LoopTiming, TeleopJson.Encode(timing)));
        if (_options.PullCameraFrames && _camera is not null && _robot.TryGetCameraFrame() is { } frame)
        {
            using (frame)
            {
                _camera.Offer(frame);
            }
        }
    }

    // ---------------------------------------------------------------- safety → MQTT

    private void OnTripped(SafetyEvent trip)
    {
        // A guard on the same latch already stops the robot on every trip.
        if (_options.StopRobotOnTrip && !_guardStopsRobot)
        {
            // Straight to the robot, not through the mailbox's lock: this runs inside the latch's callback,
            // and the loop's command stage may be waiting on the latch under that lock. A command still
            // in the mailbox meets a stopped latch in the supervisor.
            _robot.Stop($"e-stop: {trip.Cause} ({trip.Source})");
        }
    }

    private void OnSafetyEvent(SafetyEvent safetyEvent)
    {
        // Runs inside the latch's lock: only enqueue, the publish loop does the I/O.
        _publisher.Enqueue(TeleopDelivery.Event(_topics.SafetyEvents, TeleopJson.Encode(new SafetyEventMessage
        {
            Seq = safetyEvent.Sequence,
            Kind = safetyEvent.Kind.ToString(),
            Source = safetyEvent.Source.ToString(),
            Cause = safetyEvent.Cause,
            TimeUtc = safetyEvent.WallTime,
            RobotTimeS = safetyEvent.RobotTime?.TotalSeconds,
        })));
        _publisher.PublishRetained(StateMessage(_latch.Snapshot, safetyEvent.Sequence));
    }

    private MqttApplicationMessage StateMessage(SafetySnapshot snapshot, long eventSeq) =>
        TeleopDelivery.RetainedState(_topics.EStopState, TeleopJson.Encode(new EStopStateMessage
        {
            State = snapshot.State.ToString(),
            Stopped = snapshot.IsStopped,
            TripCount = snapshot.TripCount,
            Cause = snapshot.LastTrip?.Cause,
            Source = snapshot.LastTrip?.Source.ToString(),
            ActiveSources = snapshot.ActiveSources.Select(a => a.Source.ToString()).ToArray(),
            EventSeq = eventSeq,
            TimeUtc = _time.GetUtcNow(),
        }));

    private static ReadOnlySpan<byte> Bytes(ReadOnlySequence<byte> payload) =>
        payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _latch.Tripped -= OnTripped;
        _latch.EventRaised -= OnSafetyEvent;
        if (_watchedBroker is not null)
        {
            _watchedBroker.MessageDropped -= OnBrokerDropped;
        }
        // The tick and publish loops stop first: a state refresh queued behind the "offline" message
        // would otherwise mark the robot online again after it has gone.
        _stopping.Cancel();
        _tickThread?.Join();
        _publisher.Complete();
        try
        {
            await Task.WhenAll(_connectionLoop, _publisher.Completion).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _connection.CloseAsync(TeleopDelivery.RetainedState(_topics.Link, TeleopJson.Encode(new LinkMessage
        {
            Online = false, TimeUtc = _time.GetUtcNow(),
        }))).ConfigureAwait(false);
        Watchdog.Dispose();
        _connection.Dispose();
        _stopping.Dispose();
    }
}
