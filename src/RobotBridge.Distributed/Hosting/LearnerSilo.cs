using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using RobotBridge.Distributed.Learner;

namespace RobotBridge.Distributed.Hosting;

/// <summary>
/// The learner's Orleans silo: the cluster's only member (development clustering with itself as the
/// primary silo, so no membership table is needed), hosting <see cref="LearnerGrain"/>. Workers are
/// Orleans clients of its gateway, not members: they come and go without membership changes.
/// </summary>
public sealed class LearnerSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private LearnerSilo(IHost host, IPEndPoint gateway)
    {
        _host = host;
        Gateway = gateway;
    }

    /// <summary>Where workers connect (<c>robotbridge worker --learner</c> takes this).</summary>
    public IPEndPoint Gateway { get; }

    public static async Task<LearnerSilo> StartAsync(LearnerService learner, IPAddress address, int gatewayPort, int siloPort, CancellationToken cancel)
    {
        gatewayPort = gatewayPort > 0 ? gatewayPort : FreePort(address);
        siloPort = siloPort > 0 ? siloPort : FreePort(address);
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Orleans logs connection churn (a killed worker) at warning level over many lines; the run's own
        // records (workers.csv, the console) say what happened in one.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(learner);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterNames.ClusterId;
                o.ServiceId = ClusterNames.ServiceId;
            });
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = address;
                o.SiloPort = siloPort;
                o.GatewayPort = gatewayPort;
                o.SiloListeningEndpoint = new IPEndPoint(address, siloPort);
                o.GatewayListeningEndpoint = new IPEndPoint(address, gatewayPort);
            });
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ClusterNames.ResponseTimeout);
            silo.UseDevelopmentClustering(new IPEndPoint(address, siloPort));
        });
        var host = builder.Build();
        await host.StartAsync(cancel).ConfigureAwait(false);
        return new LearnerSilo(host, new IPEndPoint(address, gatewayPort));
    }

    private static int FreePort(IPAddress address)
    {
        using var probe = new TcpListener(address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown took too long (a worker connection hanging): the process is ending anyway.
        }
        _host.Dispose();
    }
}
