using System.Globalization;
using TorchSharp;

namespace RobotBridge.Learning.Training;

/// <summary>
/// Writes a run's progress to TensorBoard event files (TorchSharp's SummaryWriter) and to
/// <c>progress.csv</c> (steps, success rate, return), from which the PNG learning curve is drawn.
/// Appends when resuming, so one directory holds the whole run.
/// </summary>
public sealed class TrainingLog : ITrainingObserver, IDisposable
{
    private readonly TorchSharp.Modules.SummaryWriter _tensorboard;
    private StreamWriter _csv;

    public TrainingLog(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        Directory = directory;
        _tensorboard = torch.utils.tensorboard.SummaryWriter(Path.Combine(directory, "tensorboard"), createRunName: false);
        string csvPath = Path.Combine(directory, "progress.csv");
        bool fresh = !File.Exists(csvPath);
        _csv = new StreamWriter(csvPath, append: true) { AutoFlush = true };
        if (fresh) _csv.WriteLine("steps,episodes,success_rate,mean_return,steps_per_second");
    }

    public string Directory { get; }
    public string CsvPath => Path.Combine(Directory, "progress.csv");

    public void OnProgress(TrainingProgress progress)
    {
        _tensorboard.add_scalar("rollout/success_rate", (float)progress.SuccessRate, (int)progress.Steps);
        _tensorboard.add_scalar("rollout/episode_return", (float)progress.MeanReturn, (int)progress.Steps);
        _tensorboard.add_scalar("time/steps_per_second", (float)progress.StepsPerSecond, (int)progress.Steps);
        if (progress.SupervisorStops is { } stops)
            _tensorboard.add_scalar("safety/supervisor_stops", stops.Count, (int)progress.Steps);
        foreach (var (name, value) in progress.Losses)
            _tensorboard.add_scalar($"train/{name}", (float)value, (int)progress.Steps);
        _csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{progress.Steps},{progress.Episodes},{progress.SuccessRate:F4},{progress.MeanReturn:F4},{progress.StepsPerSecond:F1}"));
    }

    /// <summary>
    /// Makes the logs continue a resumed run at <paramref name="steps"/> (its checkpoint): rows of
    /// progress.csv and eval.csv beyond it are dropped, since the resumed run trains those steps again.
    /// Returns the episode count of progress.csv's last kept row (0 without one). TensorBoard's event
    /// files are append-only and keep their later points; TensorBoard draws the repeated steps over them.
    /// </summary>
    public long ContinueAt(long steps)
    {
        _csv.Dispose();
        long episodes = 0;
        KeepRowsUpTo(CsvPath, steps, row => episodes = row.Length > 1 && long.TryParse(row[1], CultureInfo.InvariantCulture, out long e) ? e : episodes);
        KeepRowsUpTo(EvalCsvPath, steps, _ => { });
        _csv = new StreamWriter(CsvPath, append: true) { AutoFlush = true };
        return episodes;
    }

    private static void KeepRowsUpTo(string path, long steps, Action<string[]> kept)
    {
        if (!File.Exists(path)) return;
        var lines = File.ReadAllLines(path);
        var keep = new List<string>(lines.Length);
        foreach (string line in lines)
        {
            string[] cells = line.Split(',');
            if (keep.Count == 0 || !long.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long at))
            {
                keep.Add(line); // the header (or a row this code did not write: left alone)
                continue;
            }
            if (at > steps) continue;
            keep.Add(line);
            kept(cells);
        }
        string temporary = path + ".tmp";
        File.WriteAllLines(temporary, keep);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Path of the evaluation table (steps, episodes, success rate, 95% interval, mean return).</summary>
    public string EvalCsvPath => Path.Combine(Directory, "eval.csv");

    /// <summary>Records an evaluation of the policy at a step count (TensorBoard and eval.csv).</summary>
    public void OnEvaluation(long steps, Evaluation.EvaluationResult result)
    {
        _tensorboard.add_scalar("eval/success_rate", (float)result.SuccessRate, (int)steps);
        _tensorboard.add_scalar("eval/mean_return", (float)result.MeanReturn, (int)steps);
        bool fresh = !File.Exists(EvalCsvPath);
        using var csv = new StreamWriter(EvalCsvPath, append: true);
        if (fresh) csv.WriteLine("steps,episodes,success_rate,ci95_low,ci95_high,mean_return");
        var ci = result.Interval;
        csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{steps},{result.Episodes},{result.SuccessRate:F4},{ci.Low:F4},{ci.High:F4},{result.MeanReturn:F3}"));
    }

    public void Dispose()
    {
        // SummaryWriter writes each event as it is added and holds no open handle to release.
        _csv.Dispose();
    }
}
