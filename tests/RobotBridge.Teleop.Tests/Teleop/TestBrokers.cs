using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using RobotBridge.Teleop.Brokers;

namespace RobotBridge.Teleop.Tests.Teleop;

/// <summary>The accounts every teleop test uses: one robot, an authorised operator, an operator the
/// robot does not accept, and an observer.</summary>
internal static class TestUsers
{
    public const string Robot = "robot";
    public const string Alice = "alice";      // authorised operator
    public const string Mallory = "mallory";  // operator account on the broker, not authorised by the robot
    public const string Visitor = "visitor";  // observer: may watch and trip

    public static TeleopAccessPolicy Policy() => new(
    [
        new TeleopUser(Robot, "robot-pw", TeleopRole.Robot),
        new TeleopUser(Alice, "alice-pw", TeleopRole.Operator),
        new TeleopUser(Mallory, "mallory-pw", TeleopRole.Operator),
        new TeleopUser(Visitor, "visitor-pw", TeleopRole.Observer),
    ]);

    public static string Password(string user) => user + "-pw";
}

/// <summary>A broker started for real for one test: embedded MQTTnet or a mosquitto process.</summary>
internal interface ITestBroker : IAsyncDisposable
{
    string Name { get; }
    int Port { get; }
    BrokerEndpoint EndpointFor(string user);

    /// <summary>Stops the broker (an outage); the broker object stays disposable.</summary>
    Task StopAsync();
}

internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed class EmbeddedTestBroker : ITestBroker
{
    private EmbeddedBroker? _broker;
    private readonly X509Certificate2? _certificate;

    private EmbeddedTestBroker(EmbeddedBroker broker, int port, X509Certificate2? certificate)
    {
        _broker = broker;
        Port = port;
        _certificate = certificate;
    }

    public string Name => "embedded MQTTnet";
    public int Port { get; }
    public EmbeddedBroker Broker => _broker ?? throw new ObjectDisposedException(Name);

    public static async Task<EmbeddedTestBroker> StartAsync(X509Certificate2? tlsCertificate = null)
    {
        int port = FreePort.Next();
        var broker = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions
        {
            Access = TestUsers.Policy(),
            Port = tlsCertificate is null ? port : null,
            TlsCertificate = tlsCertificate,
            TlsPort = port,
        });
        return new EmbeddedTestBroker(broker, port, tlsCertificate);
    }

    public BrokerEndpoint EndpointFor(string user) => new()
    {
        Host = "127.0.0.1", Port = Port, UserName = user, Password = TestUsers.Password(user),
        UseTls = _certificate is not null, TrustedCertificate = _certificate,
    };

    public async Task StopAsync()
    {
        if (_broker is { } broker)
        {
            _broker = null;
            await broker.DisposeAsync();
        }
    }

    /// <summary>A new broker on the same port after <see cref="StopAsync"/>: the next deploy's.</summary>
    public async Task StartAgainAsync()
    {
        if (_broker is not null)
        {
            throw new InvalidOperationException("the broker is still running");
        }
        _broker = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions
        {
            Access = TestUsers.Policy(),
            Port = _certificate is null ? Port : null,
            TlsCertificate = _certificate,
            TlsPort = Port,
        });
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

internal sealed class MosquittoTestBroker : ITestBroker
{
    private MosquittoBroker? _broker;
    private readonly string _directory;
    private readonly X509Certificate2? _certificate;

    private MosquittoTestBroker(MosquittoBroker broker, int port, string directory, X509Certificate2? certificate)
    {
        _broker = broker;
        Port = port;
        _directory = directory;
        _certificate = certificate;
    }

    public string Name => "mosquitto";
    public int Port { get; }
    public string Output => _broker?.Output ?? "";

    public static async Task<MosquittoTestBroker> StartAsync(X509Certificate2? tlsCertificate = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "robotbridge-mosquitto-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        int port = FreePort.Next();
        string? certFile = null, keyFile = null;
        if (tlsCertificate is not null)
        {
            (certFile, keyFile) = TestCertificates.WritePem(tlsCertificate, directory);
        }
        var broker = await MosquittoBroker.StartAsync(new MosquittoOptions
        {
            Access = TestUsers.Policy(),
            Port = tlsCertificate is null ? port : null,
            TlsPort = tlsCertificate is null ? null : port,
            CertFile = certFile,
            KeyFile = keyFile,
        }, directory);
        return new MosquittoTestBroker(broker, port, directory, tlsCertificate);
    }

    public BrokerEndpoint EndpointFor(string user) => new()
    {
        Host = "127.0.0.1", Port = Port, UserName = user, Password = TestUsers.Password(user),
        UseTls = _certificate is not null, TrustedCertificate = _certificate,
    };

    public async Task StopAsync()
    {
        if (_broker is { } broker)
        {
            _broker = null;
            await broker.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
