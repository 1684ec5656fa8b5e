using System.Globalization;
using RobotBridge.Distributed.Contract;

namespace RobotBridge.Distributed.Learner;

/// <summary>
/// What a distributed run records beside progress.csv: <c>episodes.csv</c> (every stored episode:
/// which worker slot, generation and sub-env produced it, with which policy version, and how many
/// versions the learner was ahead when it arrived) and <c>workers.csv</c> (joins, exits, losses and
/// replacements). Thread-safe; each line is flushed as written.
/// </summary>
public sealed class RunRecords : IDisposable
{
    public const string EpisodesFileName = "episodes.csv";
    public const string WorkersFileName = "workers.csv";
    private readonly Lock _gate = new();
    private readonly StreamWriter _episodes;
    private readonly StreamWriter _workers;
    private readonly TimeProvider _time;

    /// <param name="continueAtSteps">A resumed run's checkpoint step: episodes.csv rows past it are dropped (those steps are trained again); null for a fresh run.</param>
    public RunRecords(string directory, long? continueAtSteps, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        string episodes = Path.Combine(directory, EpisodesFileName), workers = Path.Combine(directory, WorkersFileName);
        if (continueAtSteps is { } steps && File.Exists(episodes)) KeepRowsUpTo(episodes, steps);
        _episodes = Open(episodes, "episode,steps,slot,generation,worker_episode,sub_env,policy_version,learner_version,version_lag,success,return");
        _workers = Open(workers, "time,event,slot,generation,pid,name,seed,episodes");
    }

    private static StreamWriter Open(string path, string header)
    {
        bool fresh = !File.Exists(path);
        var writer = new StreamWriter(path, append: true) { AutoFlush = true };
        if (fresh) writer.WriteLine(header);
        return writer;
    }

    public void Episode(long episode, long steps, WorkerTicket worker, EpisodeRecord e, long learnerVersion)
    {
        lock (_gate)
        {
            _episodes.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{episode},{steps},{worker.Slot},{worker.Generation},{e.WorkerEpisode},{e.EnvIndex},{e.PolicyVersion},{learnerVersion},{learnerVersion - e.PolicyVersion},{(e.Success ? 1 : 0)},{e.Return:F3}"));
        }
    }

    public void Worker(string what, int slot, int generation, int processId, string name, int seed, long episodes)
    {
        lock (_gate)
        {
            _workers.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{_time.GetUtcNow():O},{what},{slot},{generation},{processId},{name.Replace(',', ';')},{seed},{episodes}"));
        }
    }

    private static void KeepRowsUpTo(string path, long steps)
    {
        var keep = new List<string>();
        foreach (string line in File.ReadLines(path))
        {
            string[] cells = line.Split(',');
            if (keep.Count > 0 && cells.Length > 1 && long.TryParse(cells[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long at) && at > steps) continue;
            keep.Add(line);
        }
        File.WriteAllLines(path + ".tmp", keep);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _episodes.Dispose();
            _workers.Dispose();
        }
    }
}
