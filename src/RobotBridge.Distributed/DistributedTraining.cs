using System.Diagnostics;
using System.Net;
using RobotBridge.Distributed.Hosting;
using RobotBridge.Distributed.Learner;
using RobotBridge.Learning.Training;

namespace RobotBridge.Distributed;

/// <summary>What a distributed run did.</summary>
/// <param name="GradientSeconds">Wall seconds the learner spent in gradient steps.</param>
public sealed record DistributedTrainResult(string PolicyPath, string CheckpointPath, string CurvePath, string LogDirectory,
    long Steps, long Episodes, long GradientSteps, long PolicyVersion, double Seconds, double GradientSeconds, long Dropped, IPEndPoint Gateway,
    LearnerStats Stats);

/// <summary>
/// Library entry point of distributed SAC+HER: the learner (with its Orleans silo) in this process,
/// optionally <paramref name="localWorkers"/> worker processes on this machine, and any number of
/// workers joining from elsewhere. Writes what <see cref="PolicyTraining.Train"/> writes (policy,
/// checkpoint, progress.csv, eval.csv, TensorBoard, curve) plus episodes.csv and workers.csv.
/// </summary>
public static class DistributedTraining
{
    /// <param name="workerStartInfo">Command line of a local worker for a slot and the learner's gateway; needed when <paramref name="localWorkers"/> is above 0.</param>
    /// <param name="log">One line per event (listening address, workers started and replaced).</param>
    public static async Task<DistributedTrainResult> TrainAsync(DistributedTrainRequest request, int localWorkers,
        Func<int, IPEndPoint, ProcessStartInfo>? workerStartInfo, ITrainingObserver? observer, Action<string> log, CancellationToken cancel = default)
    {
        if (request.Steps < 1) throw new ArgumentOutOfRangeException(nameof(request), request.Steps, "train for at least one step");
        if (request.CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(request), request.CheckpointEvery, "checkpoint at least every step");
        if (localWorkers > 0 && workerStartInfo is null) throw new ArgumentException("local workers need a command line to start them", nameof(workerStartInfo));
        Directory.CreateDirectory(request.OutputDirectory);
        var clock = Stopwatch.StartNew();
        using var trainingLog = new TrainingLog(request.OutputDirectory);
        long? resumedAt = null;
        if (request.ResumeFrom is not null)
        {
            // The checkpoint's step count decides which log rows a resumed run keeps; read it once up front.
            resumedAt = ReplayLearner.CheckpointSteps(request.ResumeFrom, request.Warning);
            trainingLog.ContinueAt(resumedAt.Value);
        }
        using var records = new RunRecords(request.OutputDirectory, resumedAt);
        var registry = new WorkerRegistry(request.Seed, request.Lease, records);
        var observers = new Observers(trainingLog, observer);
        using var learner = new LearnerService(request, observers, records, registry);
        learner.Start(cancel);
        await learner.Ready.ConfigureAwait(false);
        // The local workers' slots are theirs from before the gateway opens: a worker started by hand
        // as soon as the learner announces itself gets the next slot, never one a local worker will claim.
        for (int slot = 0; slot < localWorkers; slot++) registry.Reserve(slot);
        await using var silo = await LearnerSilo.StartAsync(learner, request.ListenAddress, request.GatewayPort, request.SiloPort, cancel).ConfigureAwait(false);
        log($"learner listening on {silo.Gateway} (Orleans gateway); more workers join with: robotbridge worker --learner {silo.Gateway}");
        LocalWorkers? workers = null;
        if (localWorkers > 0)
        {
            workers = new LocalWorkers(localWorkers, slot => workerStartInfo!(slot, silo.Gateway), registry, Path.Combine(request.OutputDirectory, "workers"), log);
            workers.Start();
        }
        try
        {
            await learner.Finished.ConfigureAwait(false);
        }
        finally
        {
            if (workers is not null) await workers.DisposeAsync().ConfigureAwait(false);
        }
        string policyPath = Path.Combine(request.OutputDirectory, PolicyTraining.PolicyFileName);
        string temporary = policyPath + ".tmp";
        await File.WriteAllBytesAsync(temporary, learner.FinalPolicy!, CancellationToken.None).ConfigureAwait(false);
        File.Move(temporary, policyPath, overwrite: true);
        string curvePath = Path.Combine(request.OutputDirectory, PolicyTraining.CurveFileName);
        LearningCurvePlot.Save(trainingLog.CsvPath, trainingLog.EvalCsvPath, curvePath, $"{request.EnvId} — sac-her, distributed");
        return new DistributedTrainResult(policyPath, Path.Combine(request.OutputDirectory, PolicyTraining.CheckpointFileName), curvePath,
            request.OutputDirectory, learner.Steps, learner.Episodes, learner.GradientSteps, learner.PolicyVersion, clock.Elapsed.TotalSeconds,
            learner.GradientSeconds, learner.Dropped, silo.Gateway, learner.Stats);
    }

    /// <summary>Passes progress to the run's log and the caller's observer.</summary>
    private sealed class Observers(ITrainingObserver first, ITrainingObserver? second) : ITrainingObserver
    {
        public void OnProgress(TrainingProgress progress)
        {
            first.OnProgress(progress);
            second?.OnProgress(progress);
        }

        public void OnEvaluation(long steps, Learning.Evaluation.EvaluationResult result)
        {
            first.OnEvaluation(steps, result);
            second?.OnEvaluation(steps, result);
        }
    }
}
