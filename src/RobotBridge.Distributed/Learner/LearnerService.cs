using System.Collections.Concurrent;
using System.Diagnostics;
using RobotBridge.Distributed.Contract;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Evaluation;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Training;

namespace RobotBridge.Distributed.Learner;

/// <summary>
/// The learner loop on a thread of its own (the only one that touches torch in this process): takes in
/// submitted episodes, takes the gradient steps they earn, publishes a new policy version every
/// <see cref="DistributedTrainRequest.PublishEvery"/> gradient steps, checkpoints and evaluates. A
/// submission is answered once the learner owes at most about one worker round of gradient steps, so
/// workers cannot outrun it and the update-to-data ratio stays the single-process trainer's.
/// Episodes collected with an older policy are kept (SAC is off-policy); episodes.csv records the lag.
/// </summary>
public sealed class LearnerService : IDisposable
{
    private readonly DistributedTrainRequest _request;
    private readonly ITrainingObserver _observer;
    private readonly RunRecords _records;
    private readonly ConcurrentQueue<Submission> _inbox = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly List<(TaskCompletionSource<SubmitReply> Reply, int Accepted, long WorkerVersion)> _waiting = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private volatile PolicySnapshot? _latest;
    private volatile bool _done;
    private Thread? _thread;

    private sealed record Submission(WorkerTicket Worker, EpisodeRecord[] Episodes, TaskCompletionSource<SubmitReply> Reply);

    public LearnerService(DistributedTrainRequest request, ITrainingObserver observer, RunRecords records, WorkerRegistry registry)
    {
        _request = request;
        _observer = observer;
        _records = records;
        Registry = registry;
    }

    public WorkerRegistry Registry { get; }

    /// <summary>Completes when the run has its steps (or was cancelled) and the final policy is published.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Completes once the learner is built (and resumed) and version 0 can be handed out.</summary>
    public Task Ready => _ready.Task;

    public long Steps { get; private set; }
    public long Episodes { get; private set; }
    public long GradientSteps { get; private set; }
    public long PolicyVersion => _latest?.Version ?? 0;

    /// <summary>Wall seconds the learner spent in gradient steps, and the workers' reported collection seconds (for the benchmark).</summary>
    public double GradientSeconds { get; private set; }

    /// <summary>Throughput figures of the run (for the benchmark and the closing line).</summary>
    public LearnerStats Stats { get; } = new();

    /// <summary>The final policy file's bytes, once <see cref="Finished"/>.</summary>
    public byte[]? FinalPolicy { get; private set; }

    /// <summary>Episodes refused (wrong shape) or arriving after the run had its steps.</summary>
    public long Dropped { get; private set; }

    public void Start(CancellationToken cancel)
    {
        cancel.Register(() => _stop.Cancel());
        _thread = new Thread(Loop) { Name = "learner", IsBackground = true };
        _thread.Start();
    }

    public async Task<WorkerAssignment> JoinAsync(JoinRequest request)
    {
        await _ready.Task.ConfigureAwait(false);
        var (ticket, seed) = Registry.Join(request);
        return new WorkerAssignment(ticket, seed, _request.EnvId, new Dictionary<string, string>(_request.EnvSettings),
            _request.Sac.RandomActionProbability, _latest!);
    }

    public Task<SubmitReply> SubmitAsync(WorkerTicket worker, EpisodeRecord[] episodes)
    {
        if (_done) return Task.FromResult(new SubmitReply(0, true, "the run is complete", null));
        var submission = new Submission(worker, episodes, new TaskCompletionSource<SubmitReply>(TaskCreationOptions.RunContinuationsAsynchronously));
        _inbox.Enqueue(submission);
        _arrived.Release();
        return submission.Reply.Task;
    }

    private void Loop()
    {
        try
        {
            Run();
            _finished.TrySetResult();
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            _finished.TrySetException(e);
        }
        finally
        {
            _done = true;
            FailWaiting("the run is complete");
        }
    }

    private void Run()
    {
        using var env = _request.MakeEnv();
        using var evalEnv = _request.EvalEpisodes > 0 ? _request.MakeEnv() : null;
        using var learner = new ReplayLearner(env, _request.EnvId, _request.Sac with { Seed = _request.Seed, Threads = _request.Threads }, _request.EnvSettings);
        long version = 0;
        if (_request.ResumeFrom is { } checkpoint)
        {
            CheckpointFile.Load(checkpoint, () => learner.LoadCheckpoint(checkpoint, reader =>
            {
                version = reader.ReadInt64();
                int slots = reader.ReadInt32();
                var generations = new Dictionary<int, int>();
                for (int i = 0; i < slots; i++) generations[reader.ReadInt32()] = reader.ReadInt32();
                Registry.RestoreGenerations(generations);
            }, _request.Warning));
        }
        Publish(learner, version);
        Steps = learner.Steps;
        Episodes = learner.Episodes;
        _ready.TrySetResult();

        int publishEvery = _request.PublishEvery > 0 ? _request.PublishEvery : learner.MaxEpisodeSteps;
        double owedLimit = Math.Max(1, _request.Sac.GradientStepsPerEnvStep * learner.MaxEpisodeSteps);
        long nextCheckpoint = (learner.Steps / _request.CheckpointEvery + 1) * _request.CheckpointEvery;
        long startSteps = learner.Steps, lastCheckpoint = learner.Steps;
        var clock = Stopwatch.StartNew();
        var gradientClock = new Stopwatch();
        int sincePublish = 0;
        var leaseCheck = Stopwatch.StartNew();
        string checkpointPath = Path.Combine(_request.OutputDirectory, PolicyTraining.CheckpointFileName);
        while (!_stop.IsCancellationRequested)
        {
            bool reachedSteps = learner.Steps >= _request.Steps;
            while (!reachedSteps && _inbox.TryDequeue(out var submission))
            {
                Take(learner, submission, clock, startSteps);
                reachedSteps = learner.Steps >= _request.Steps;
            }
            if (_latest!.Version == 0 && learner.Steps >= _request.Sac.LearningStarts && learner.GradientSteps == 0)
            {
                // Past the warm-up the workers act with the policy, even in a run that takes no gradient steps.
                Publish(learner, 1);
            }
            if (learner.Owed <= owedLimit) Answer(learner);
            if (learner.Steps >= nextCheckpoint)
            {
                Checkpoint(learner, checkpointPath, evalEnv);
                lastCheckpoint = learner.Steps;
                nextCheckpoint = (learner.Steps / _request.CheckpointEvery + 1) * _request.CheckpointEvery;
            }
            if (leaseCheck.Elapsed > TimeSpan.FromSeconds(1))
            {
                Registry.ExpireSilent();
                leaseCheck.Restart();
            }
            gradientClock.Start();
            bool stepped = learner.TryGradientStep();
            gradientClock.Stop();
            if (stepped)
            {
                GradientSteps = learner.GradientSteps;
                if (++sincePublish >= publishEvery || learner.Owed < 1)
                {
                    Publish(learner, _latest!.Version + 1);
                    sincePublish = 0;
                }
                continue;
            }
            if (reachedSteps) break;
            // Nothing owed: wait for the next submission (waking now and then to expire silent workers).
            _arrived.Wait(TimeSpan.FromMilliseconds(500));
        }
        GradientSeconds = gradientClock.Elapsed.TotalSeconds;
        Stats.Finished(learner.Steps, learner.GradientSteps, GradientSeconds);
        _done = true;
        if (sincePublish > 0) Publish(learner, _latest!.Version + 1);
        if (learner.Steps != lastCheckpoint) Checkpoint(learner, checkpointPath, evalEnv);
        FinalPolicy = learner.PolicyBytes();
        Steps = learner.Steps;
        Episodes = learner.Episodes;
        // Episodes still queued arrived after the run had its steps: answered with stop, not stored.
        while (_inbox.TryDequeue(out var late))
        {
            Dropped += late.Episodes.Length;
            late.Reply.TrySetResult(new SubmitReply(0, true, "the run is complete", _latest));
        }
    }

    private void Take(ReplayLearner learner, Submission submission, Stopwatch clock, long startSteps)
    {
        if (!Registry.Touch(submission.Worker, submission.Episodes.Length))
        {
            Dropped += submission.Episodes.Length;
            submission.Reply.TrySetResult(new SubmitReply(0, true, $"slot {submission.Worker.Slot} was taken by a newer worker", null));
            return;
        }
        int accepted = 0;
        long version = _latest!.Version;
        Stats.Submitted(submission.Episodes, learner.Steps, learner.GradientSteps);
        foreach (var episode in submission.Episodes)
        {
            if (learner.Steps >= _request.Steps || learner.Problem(episode) is { } problem)
            {
                if (learner.Steps < _request.Steps) _request.Warning?.Invoke($"worker {submission.Worker.Slot} sent an episode this run cannot store: {learner.Problem(episode)}");
                Dropped++;
                continue;
            }
            learner.Ingest(episode);
            accepted++;
            _records.Episode(learner.Episodes, learner.Steps, submission.Worker, episode, version);
            Stats.Stored(version - episode.PolicyVersion);
            _observer.OnProgress(new TrainingProgress(learner.Steps, _request.Steps, learner.Episodes,
                (learner.Steps - startSteps) / Math.Max(1e-9, clock.Elapsed.TotalSeconds), learner.SuccessRate, learner.MeanReturn, learner.Losses));
        }
        Steps = learner.Steps;
        Episodes = learner.Episodes;
        _waiting.Add((submission.Reply, accepted, submission.Episodes.Length > 0 ? submission.Episodes.Max(e => e.PolicyVersion) : -1));
    }

    /// <summary>Answers the waiting submissions, with the newest policy for workers that act with an older one.</summary>
    private void Answer(ReplayLearner learner)
    {
        bool stop = learner.Steps >= _request.Steps;
        var latest = _latest!;
        foreach (var (reply, accepted, workerVersion) in _waiting)
        {
            // The weights travel only to a worker that holds an older version.
            reply.TrySetResult(new SubmitReply(accepted, stop, stop ? "the run is complete" : "", latest.Version > workerVersion ? latest : null));
        }
        _waiting.Clear();
    }

    private void FailWaiting(string reason)
    {
        foreach (var (reply, _, _) in _waiting) reply.TrySetResult(new SubmitReply(0, true, reason, null));
        _waiting.Clear();
        while (_inbox.TryDequeue(out var late)) late.Reply.TrySetResult(new SubmitReply(0, true, reason, _latest));
    }

    private void Publish(ReplayLearner learner, long version) => _latest = new PolicySnapshot(version, learner.PolicyBytes());

    private void Checkpoint(ReplayLearner learner, string path, IEnv<DictValue, float[]>? evalEnv)
    {
        long version = _latest!.Version;
        var generations = Registry.Generations();
        learner.SaveCheckpoint(path, writer =>
        {
            writer.Write(version);
            writer.Write(generations.Count);
            foreach (var (slot, generation) in generations)
            {
                writer.Write(slot);
                writer.Write(generation);
            }
        });
        if (evalEnv is null) return;
        learner.Policy.eval();
        var result = PolicyEvaluator.Evaluate(learner.Policy, evalEnv, _request.EvalEpisodes, seed: _request.Seed + 10_000);
        learner.Policy.train();
        _observer.OnEvaluation(learner.Steps, result);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(30));
        _arrived.Dispose();
        _stop.Dispose();
    }
}
