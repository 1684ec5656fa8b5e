using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Certificates;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace RobotBridge.Teleop.Brokers;

/// <summary>Settings of the <see cref="EmbeddedBroker"/>. Validated by <see cref="EmbeddedBroker.StartAsync"/>.</summary>
public sealed record EmbeddedBrokerOptions
{
    /// <summary>Default size of each client's outgoing queue; see <see cref="MaxPendingMessagesPerClient"/>.</summary>
    public const int DefaultMaxPendingMessagesPerClient = 256;

    /// <summary>Accounts and access rules. Required: the broker never runs open.</summary>
    public required TeleopAccessPolicy Access { get; init; }

    /// <summary>Address the listeners bind to. Loopback unless configured: exposing a broker that can
    /// move a robot to the network is a deliberate decision.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Plain TCP port, or null for no plain listener (TLS only).</summary>
    public int? Port { get; init; } = 1883;

    /// <summary>Certificate (with private key) for the TLS listener; null for no TLS listener.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    public int TlsPort { get; init; } = 8883;

    /// <summary>
    /// How many messages the broker queues per client before it drops the oldest. MQTTnet drops them
    /// silently, so the number is chosen, not defaulted: 256 holds more than two seconds of the busiest
    /// stream in either direction (an operator's heartbeat and four motion topics at 20 Hz toward the
    /// robot is 100 msg/s; telemetry toward an operator is about 70 msg/s). Anything older than one
    /// second has expired anyway (every motion and telemetry message carries a 1 s expiry), so a
    /// longer queue would only hold garbage, while a shorter one would drop messages during an
    /// ordinary GC pause. Dropping the oldest keeps the newest commands. A drop is never silent here:
    /// it raises <see cref="EmbeddedBroker.MessageDropped"/>, which the bridge turns into an e-stop when
    /// the robot's own queue overflowed (it could have lost a trip).
    /// </summary>
    public int MaxPendingMessagesPerClient { get; init; } = DefaultMaxPendingMessagesPerClient;

    /// <summary>Further transports into the same broker (e.g. MQTT over WebSocket hosted by the web
    /// console): their clients meet the same accounts, access rules and queues as the TCP listener's.</summary>
    public IReadOnlyList<IMqttServerAdapter> ExtraAdapters { get; init; } = [];
}

/// <summary>
/// MQTTnet's broker in-process: the default broker of a teleop session. Authenticates every client
/// against <see cref="TeleopAccessPolicy"/>, checks every publish and subscribe against it, and
/// reports queue overflows instead of losing messages silently.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly TeleopAccessPolicy _access;
    private long _dropped;
    private long _refusedPublishes;
    private long _refusedRetained;

    private EmbeddedBroker(MqttServer server, TeleopAccessPolicy access, EmbeddedBrokerOptions options)
    {
        _server = server;
        _access = access;
        Options = options;
        _server.ValidatingConnectionAsync += OnValidatingConnection;
        _server.InterceptingPublishAsync += OnInterceptingPublish;
        _server.InterceptingSubscriptionAsync += OnInterceptingSubscription;
        _server.ApplicationMessageEnqueuedOrDroppedAsync += OnEnqueuedOrDropped;
        _server.QueuedApplicationMessageOverwrittenAsync += OnQueueOverwritten;
    }

    public EmbeddedBrokerOptions Options { get; }

    /// <summary>A message could not be queued for a client, or an older one was pushed out of its queue.
    /// Arguments: the receiving client id, the topic (null when unknown). Raised on a broker thread.</summary>
    public event Action<string, string?>? MessageDropped;

    /// <summary>Messages dropped from any client's queue so far.</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    /// <summary>Retained publishes on command topics so far: refused, or for a trip delivered without the flag.</summary>
    public long RefusedRetainedCommands => Interlocked.Read(ref _refusedRetained);

    /// <summary>Publishes refused by the access policy so far.</summary>
    public long RefusedPublishes => Interlocked.Read(ref _refusedPublishes);

    public static async Task<EmbeddedBroker> StartAsync(EmbeddedBrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Access, nameof(options.Access));
        if (options.Port is null && options.TlsCertificate is null)
        {
            throw new ArgumentException("the embedded broker needs a plain Port, a TlsCertificate, or both");
        }
        if (options.MaxPendingMessagesPerClient < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxPendingMessagesPerClient,
                "MaxPendingMessagesPerClient below 16 would drop messages in ordinary operation");
        }
        if (options.TlsCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException($"TLS certificate '{options.TlsCertificate.Subject}' has no private key");
        }

        var builder = new MqttServerOptionsBuilder()
            .WithMaxPendingMessagesPerClient(options.MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage);
        if (options.Port is { } port)
        {
            builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(options.BindAddress).WithDefaultEndpointPort(port);
        }
        else
        {
            builder.WithoutDefaultEndpoint();
        }
        if (options.TlsCertificate is { } certificate)
        {
            builder.WithEncryptedEndpoint()
                .WithEncryptedEndpointBoundIPAddress(options.BindAddress)
                .WithEncryptedEndpointPort(options.TlsPort)
                .WithEncryptionCertificate(new X509CertificateProvider(certificate))
                .WithEncryptionSslProtocol(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
        }
        var serverOptions = builder.Build();
        // Nagle would hold a small trip message back waiting for more bytes.
        serverOptions.DefaultEndpointOptions.NoDelay = true;
        serverOptions.TlsEndpointOptions.NoDelay = true;

        var factory = new MqttServerFactory();
        var adapters = factory.DefaultServerAdapters.Select(create => create(factory)).Concat(options.ExtraAdapters ?? []).ToList();
        var server = factory.CreateMqttServer(serverOptions, adapters);
        var broker = new EmbeddedBroker(server, options.Access, options);
        try
        {
            await server.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            server.Dispose();
            string where = $"{options.BindAddress}:{options.Port?.ToString() ?? "-"}" + (options.TlsCertificate is null ? "" : $" (TLS {options.TlsPort})");
            throw new InvalidOperationException($"embedded MQTT broker could not listen on {where}: {ex.Message}", ex);
        }
        return broker;
    }

    private Task OnValidatingConnection(ValidatingConnectionEventArgs args)
    {
        if (!_access.Authenticate(args.UserName, args.Password))
        {
            args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        }
        return Task.CompletedTask;
    }

    private Task OnInterceptingPublish(InterceptingPublishEventArgs args)
    {
        // Messages the server itself injects have no user; everything from a client is checked.
        if (args.ClientId is null)
        {
            return Task.CompletedTask;
        }
        if (_access.MayPublish(args.UserName, args.ApplicationMessage.Topic))
        {
            if (args.ApplicationMessage.Retain && TeleopAccessPolicy.IsCommandTopic(args.ApplicationMessage.Topic))
            {
                RefuseRetainedCommand(args);
            }
            return Task.CompletedTask;
        }
        Interlocked.Increment(ref _refusedPublishes);
        args.ProcessPublish = false;
        args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
        args.Response.ReasonString = $"user '{args.UserName}' may not publish to '{args.ApplicationMessage.Topic}'";
        return Task.CompletedTask;
    }

    /// <summary>
    /// A retained command would be stored and replayed to whoever subscribes later: a motion command
    /// would move the robot long after the operator let go. A retained trip is still a trip: it goes
    /// through now, without the flag (kept, it would re-trip after every reset). Anything else on a
    /// command topic (motion, heartbeat, reset) is refused and nothing is stored.
    /// </summary>
    private void RefuseRetainedCommand(InterceptingPublishEventArgs args)
    {
        Interlocked.Increment(ref _refusedRetained);
        if (TeleopAccessPolicy.IsTripTopic(args.ApplicationMessage.Topic))
        {
            args.ApplicationMessage.Retain = false;
            return;
        }
        args.ProcessPublish = false;
        args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
        args.Response.ReasonString = $"retained commands are refused ('{args.ApplicationMessage.Topic}'): publish commands without the retain flag";
    }

    private Task OnInterceptingSubscription(InterceptingSubscriptionEventArgs args)
    {
        if (!_access.MaySubscribe(args.UserName, args.TopicFilter.Topic))
        {
            args.ProcessSubscription = false;
            args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            args.ReasonString = $"user '{args.UserName}' may not subscribe to '{args.TopicFilter.Topic}'";
        }
        return Task.CompletedTask;
    }

    private Task OnEnqueuedOrDropped(ApplicationMessageEnqueuedEventArgs args)
    {
        if (args.IsDropped)
        {
            Interlocked.Increment(ref _dropped);
            MessageDropped?.Invoke(args.ReceiverClientId, args.ApplicationMessage?.Topic);
        }
        return Task.CompletedTask;
    }

    private Task OnQueueOverwritten(QueueMessageOverwrittenEventArgs args)
    {
        Interlocked.Increment(ref _dropped);
        MessageDropped?.Invoke(args.ReceiverClientId, (args.Packet as MqttPublishPacket)?.Topic);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
        }
        finally
        {
            _server.Dispose();
        }
    }
}
