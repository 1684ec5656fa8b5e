using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet.AspNetCore;
using MQTTnet.Server;
using RobotBridge.Teleop.Operator;

namespace RobotBridge.Teleop.Web;

/// <summary>
/// The browser operator console: an ASP.NET Core (Kestrel) listener that serves the page and carries
/// MQTT over WebSocket at <c>/mqtt</c> into the embedded broker itself, so a browser meets the same
/// accounts, access rules, queues and TLS certificate as a TCP client, and the robot bridge cannot
/// tell the two apart.
/// </summary>
/// <remarks>
/// Order matters: hand <see cref="MqttAdapter"/> to <see cref="Brokers.EmbeddedBrokerOptions.ExtraAdapters"/>
/// before the broker starts (the broker wires its client handler into it on start), then call
/// <see cref="StartAsync"/>. A WebSocket that arrives without a running broker is closed at once.
/// The page itself holds no rules of its own: what it may do is what the broker lets its account do.
/// </remarks>
public sealed class WebConsole : IAsyncDisposable
{
    /// <summary>Path of the MQTT-over-WebSocket endpoint.</summary>
    public const string MqttPath = "/mqtt";

    private readonly MqttWebSocketServerAdapter _adapter = new();
    private readonly WebConsoleOptions _options;
    private readonly WebConsoleAssets _assets;
    private readonly byte[] _config;
    private readonly WebSocketOriginPolicy _origins;
    private WebApplication? _app;

    public WebConsole(WebConsoleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "web console port must be 0..65535");
        }
        if (options.TlsCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException($"TLS certificate '{options.TlsCertificate.Subject}' has no private key");
        }
        Protocol.TeleopTopics.RequireLevel(options.RobotId, nameof(options.RobotId));
        _options = options;
        _assets = WebConsoleAssets.Load();
        _config = PageConfig(options);
        _origins = new WebSocketOriginPolicy(options.AllowedHosts);
    }

    /// <summary>The broker transport to add to the embedded broker's adapters.</summary>
    public IMqttServerAdapter MqttAdapter => _adapter;

    /// <summary>Where the page is, once started (the real port when 0 was asked for).</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("the web console is already started");
        }
        var builder = WebApplication.CreateSlimBuilder();
        // The robot's log is the safety event stream; ASP.NET Core's request chatter would bury it.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(_options.BindAddress, _options.Port, listen =>
            {
                if (_options.TlsCertificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        // The WebSocket ping keeps NATs and proxies from closing an idle link; MQTT's keep-alive is what
        // tells the broker the page is gone.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(10) });
        app.Map(MqttPath, HandleMqttAsync);
        app.MapGet("/config.json", context => Write(context, _config, "application/json"));
        foreach (string path in _assets.Paths)
        {
            _assets.TryGet(path, out var asset);
            app.MapGet(path, context => Write(context, asset.Content, asset.ContentType));
        }
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"web console could not listen on {_options.BindAddress}:{_options.Port}: {ex.Message}", ex);
        }
        _app = app;
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(bound);
        Address = new UriBuilder(uri) { Host = HostFor(_options.BindAddress, uri.Host) }.Uri;
    }

    private async Task HandleMqttAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("MQTT over WebSocket only (subprotocol mqtt)").ConfigureAwait(false);
            return;
        }
        if (_origins.Refusal(context.Request) is { } refusal)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync(refusal).ConfigureAwait(false);
            return;
        }
        string? subProtocol = MqttSubProtocolSelector.SelectSubProtocol(context.Request);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(subProtocol).ConfigureAwait(false);
        // Runs the MQTT session in the broker until the socket closes.
        await _adapter.RunWebSocketConnectionAsync(socket, context).ConfigureAwait(false);
    }

    private static Task Write(HttpContext context, byte[] content, string contentType)
    {
        var headers = context.Response.Headers;
        // An operator must always run the page the bridge serves now, never a cached older one.
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        // Only this origin: no script, style or connection elsewhere (the MQTT.js bundle is served here too).
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        context.Response.ContentType = contentType;
        context.Response.ContentLength = content.Length;
        return context.Response.Body.WriteAsync(content).AsTask();
    }

    /// <summary>What the page needs to obey the protocol as the terminal console does: the same period,
    /// ttl and speeds (<see cref="OperatorConsoleOptions"/>), and the robot's topic root.</summary>
    private static byte[] PageConfig(WebConsoleOptions options)
    {
        var console = new OperatorConsoleOptions();
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("robot", options.RobotId);
            json.WriteString("mqtt_path", MqttPath);
            json.WriteNumber("period_ms", console.Period.TotalMilliseconds);
            json.WriteNumber("ttl_ms", console.TtlMs);
            json.WriteNumber("heartbeat_timeout_ms", options.HeartbeatTimeout.TotalMilliseconds);
            json.WriteNumber("linear_speed", console.LinearSpeed);
            json.WriteNumber("base_speed", console.BaseSpeed);
            json.WriteNumber("base_turn_rate", console.BaseTurnRate);
            json.WriteNumber("head_step", console.HeadStep);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static string HostFor(IPAddress bind, string reported) =>
        bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any) ? reported
        : bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
        _adapter.Dispose();
    }
}
