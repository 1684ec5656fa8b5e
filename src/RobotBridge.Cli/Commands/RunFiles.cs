using RobotBridge.Learning.Training;

namespace RobotBridge.Cli.Commands;

/// <summary>The files a training run writes into its directory: what <c>train</c> refuses to replace
/// without <c>--force</c>, and what <c>--force</c> removes (nothing else in the folder is touched).</summary>
internal static class RunFiles
{
    private static readonly string[] Files =
        [PolicyTraining.PolicyFileName, PolicyTraining.CheckpointFileName, "progress.csv", "eval.csv", PolicyTraining.CurveFileName,
            RobotBridge.Distributed.Learner.RunRecords.EpisodesFileName, RobotBridge.Distributed.Learner.RunRecords.WorkersFileName];

    private const string TensorBoard = "tensorboard";

    /// <summary>Output of a distributed run's local worker processes.</summary>
    private const string WorkerLogs = "workers";

    /// <summary>Names of the run's files that exist in <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> Existing(string directory)
    {
        var found = Files.Where(f => File.Exists(Path.Combine(directory, f))).ToList();
        if (Directory.Exists(Path.Combine(directory, TensorBoard))) found.Add(TensorBoard + "/");
        if (Directory.Exists(Path.Combine(directory, WorkerLogs))) found.Add(WorkerLogs + "/");
        return found;
    }

    public static void Delete(string directory)
    {
        foreach (string f in Files)
        {
            File.Delete(Path.Combine(directory, f));
        }
        string events = Path.Combine(directory, TensorBoard);
        if (Directory.Exists(events)) Directory.Delete(events, recursive: true);
        string workers = Path.Combine(directory, WorkerLogs);
        if (Directory.Exists(workers)) Directory.Delete(workers, recursive: true);
    }
}
