using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using RobotBridge.Distributed.Contract;
using RobotBridge.Distributed.Worker;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Distributed.Hosting;

/// <summary>How a worker's run ended.</summary>
/// <param name="Completed">The learner said the run is complete (false: it took the slot away or the worker was cancelled).</param>
public sealed record WorkerOutcome(WorkerTicket Ticket, long Episodes, long Steps, long PolicyVersion, bool Completed, string Reason);

/// <summary>
/// <c>robotbridge worker</c>: an Orleans client of the learner's gateway. Joins, then collects rounds of
/// episodes on its twins and submits each while it collects the next (one submission in flight),
/// taking the newer policy that each answer carries.
/// </summary>
public static class WorkerClient
{
    /// <param name="makeEnv">Builds one sub-env for the env id and options the learner names.</param>
    /// <param name="slot">Slot to take (−1: the lowest free one).</param>
    /// <param name="log">Where the worker says what it does (one line per event).</param>
    public static async Task<WorkerOutcome> RunAsync(IPEndPoint learner, Func<string, IReadOnlyDictionary<string, string>, IEnv<DictValue, float[]>> makeEnv,
        int envCount, int slot, string name, TimeSpan connectTimeout, Action<string> log, CancellationToken cancel)
    {
        try
        {
            return await RunConnectedAsync(learner, makeEnv, envCount, slot, name, connectTimeout, log, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new LearnerConnectionException($"lost the learner at {learner}: {e.Message.Split('\n')[0].Trim()}", e);
        }
    }

    private static async Task<WorkerOutcome> RunConnectedAsync(IPEndPoint learner, Func<string, IReadOnlyDictionary<string, string>, IEnv<DictValue, float[]>> makeEnv,
        int envCount, int slot, string name, TimeSpan connectTimeout, Action<string> log, CancellationToken cancel)
    {
        using var host = await ConnectAsync(learner, connectTimeout, cancel).ConfigureAwait(false);
        var grain = host.Services.GetRequiredService<IClusterClient>().GetGrain<ILearnerGrain>(LearnerGrainKey.Value);
        var assignment = await grain.JoinAsync(new JoinRequest(name, slot, Environment.ProcessId)).ConfigureAwait(false);
        log($"joined {learner} as slot {assignment.Ticket.Slot} (generation {assignment.Ticket.Generation}, seed {assignment.Seed}): {assignment.EnvId} on {envCount} twin(s)");
        using var worker = new RolloutWorker(() => makeEnv(assignment.EnvId, assignment.EnvSettings), envCount, assignment);
        Task<SubmitReply>? inFlight = null;
        long steps = 0;
        string reason = "cancelled";
        bool completed = false;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                // Collect on a pool thread: this one's continuations must stay free for the client's replies.
                var round = await Task.Run(worker.CollectRound, cancel).ConfigureAwait(false);
                steps += round.Sum(e => e.Length);
                if (inFlight is not null && Apply(await inFlight.ConfigureAwait(false), worker, ref reason, ref completed)) return Outcome();
                inFlight = grain.SubmitAsync(assignment.Ticket, round);
            }
            if (inFlight is not null) Apply(await inFlight.ConfigureAwait(false), worker, ref reason, ref completed);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        return Outcome();

        WorkerOutcome Outcome() => new(assignment.Ticket, worker.Episodes, steps, worker.PolicyVersion, completed, reason);
    }

    /// <summary>Takes a newer policy from the answer; true when the learner said to stop.</summary>
    private static bool Apply(SubmitReply reply, RolloutWorker worker, ref string reason, ref bool completed)
    {
        if (reply.Policy is { } policy) worker.SetPolicy(policy);
        if (!reply.Stop) return false;
        reason = reply.Reason;
        completed = reply.Reason == "the run is complete";
        return true;
    }

    /// <summary>Starts an Orleans client on the learner's gateway, retrying until <paramref name="timeout"/>
    /// (a worker started before its learner waits for it).</summary>
    private static async Task<IHost> ConnectAsync(IPEndPoint learner, TimeSpan timeout, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.UseOrleansClient(client =>
            {
                client.UseStaticClustering(learner);
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = ClusterNames.ClusterId;
                    o.ServiceId = ClusterNames.ServiceId;
                });
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ClusterNames.ResponseTimeout);
            });
            var host = builder.Build();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            // The client may keep retrying an unreachable gateway inside StartAsync: the deadline ends it.
            attempt.CancelAfter(deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero);
            try
            {
                await host.StartAsync(attempt.Token).ConfigureAwait(false);
                return host;
            }
            catch (Exception) when (!cancel.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                host.Dispose();
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancel.IsCancellationRequested)
            {
                host.Dispose();
                string why = e is OperationCanceledException ? "no connection" : e.Message.Split('\n')[0].Trim();
                throw new LearnerConnectionException($"no learner answered at {learner} within {timeout.TotalSeconds:F0} s: {why}", e);
            }
            catch
            {
                host.Dispose();
                throw;
            }
        }
    }
}
