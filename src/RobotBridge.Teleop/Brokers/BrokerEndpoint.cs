using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;

namespace RobotBridge.Teleop.Brokers;

/// <summary>
/// Where and how a teleop client (robot bridge or operator) reaches a broker: any MQTT 5 broker, the
/// embedded one or an external mosquitto.
/// </summary>
public sealed record BrokerEndpoint
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 1883;
    public string? UserName { get; init; }
    public string? Password { get; init; }
    public bool UseTls { get; init; }

    /// <summary>With TLS: the certificate to trust as root (a private CA or the broker's self-signed
    /// certificate). Null trusts the system's roots.</summary>
    public X509Certificate2? TrustedCertificate { get; init; }

    /// <summary>MQTT keep-alive: how long a silent connection may last before the broker drops it
    /// (and publishes the will). Short, because a dead robot link must be noticed quickly.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public override string ToString() => $"{(UseTls ? "mqtts" : "mqtt")}://{UserName ?? "anonymous"}@{Host}:{Port}";

    /// <summary>MQTT 5 client options for this endpoint; <paramref name="customize"/> adds will, session settings etc.</summary>
    public MqttClientOptions ToClientOptions(string clientId, Action<MqttClientOptionsBuilder>? customize = null)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(clientId)
            .WithTcpServer(Host, Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(KeepAlive)
            .WithTimeout(ConnectTimeout);
        if (UserName is not null)
        {
            builder.WithCredentials(UserName, Password ?? "");
        }
        if (UseTls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls(true).WithTargetHost(Host);
                if (TrustedCertificate is { } trusted)
                {
                    tls.WithCertificateValidationHandler(args => ChainsTo(trusted, args.Certificate, args.SslPolicyErrors));
                }
            });
        }
        customize?.Invoke(builder);
        var options = builder.Build();
        if (options.ChannelOptions is MqttClientTcpOptions tcp)
        {
            // Nagle would hold a small trip message back waiting for more bytes.
            tcp.NoDelay = true;
        }
        return options;
    }

    /// <summary>Accepts <paramref name="presented"/> when it chains to <paramref name="trusted"/> and the
    /// host name matched; nothing else is ignored.</summary>
    private static bool ChainsTo(X509Certificate2 trusted, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return chain.Build(leaf);
    }
}
