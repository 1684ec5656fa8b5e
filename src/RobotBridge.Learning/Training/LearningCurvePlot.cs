using System.Globalization;
using ScottPlot;

namespace RobotBridge.Learning.Training;

/// <summary>Draws the learning curve (success rate and episode return against env steps) as a PNG.</summary>
public static class LearningCurvePlot
{
    /// <summary>Reads <c>progress.csv</c> (and <c>eval.csv</c> when present) written by <see cref="TrainingLog"/>
    /// and saves the curve to <paramref name="pngPath"/>.</summary>
    public static void Save(string csvPath, string evalCsvPath, string pngPath, string title)
    {
        var rows = File.ReadLines(csvPath).Skip(1)
            .Select(line => line.Split(','))
            .Where(f => f.Length >= 4)
            .Select(f => (Steps: double.Parse(f[0], CultureInfo.InvariantCulture),
                          Success: double.Parse(f[2], CultureInfo.InvariantCulture),
                          Return: double.Parse(f[3], CultureInfo.InvariantCulture)))
            .ToArray();
        var plot = new Plot();
        if (rows.Length == 0)
        {
            // A run resumed from a checkpoint copied into a fresh directory at its final step (how a policy is
            // taken from a snapshot of a checkpoint) trains nothing and logs no rows; its policy is still
            // written, and the run must not fail on its drawing.
            plot.Title($"{title}: no training steps logged in this run directory");
            plot.SavePng(pngPath, 900, 500);
            return;
        }
        plot.Title(title);
        plot.XLabel("env steps");
        var success = plot.Add.Scatter(rows.Select(r => r.Steps).ToArray(), rows.Select(r => r.Success).ToArray());
        success.LegendText = "success rate (last 100 episodes)";
        success.MarkerSize = 0;
        plot.Axes.Left.Label.Text = "success rate";
        plot.Axes.SetLimitsY(0, 1.05);

        if (File.Exists(evalCsvPath))
        {
            var evals = File.ReadLines(evalCsvPath).Skip(1).Select(line => line.Split(',')).Where(f => f.Length >= 5)
                .Select(f => (Steps: double.Parse(f[0], CultureInfo.InvariantCulture), Success: double.Parse(f[2], CultureInfo.InvariantCulture),
                              Low: double.Parse(f[3], CultureInfo.InvariantCulture), High: double.Parse(f[4], CultureInfo.InvariantCulture)))
                .ToArray();
            if (evals.Length > 0)
            {
                var eval = plot.Add.Scatter(evals.Select(e => e.Steps).ToArray(), evals.Select(e => e.Success).ToArray());
                eval.LegendText = $"eval success rate ({File.ReadLines(evalCsvPath).Skip(1).First().Split(',')[1]} episodes, 95% CI)";
                eval.MarkerSize = 6;
                foreach (var e in evals)
                {
                    var bar = plot.Add.Line(e.Steps, e.Low, e.Steps, e.High);
                    bar.Color = eval.Color;
                }
            }
        }

        var returns = plot.Add.Scatter(rows.Select(r => r.Steps).ToArray(), rows.Select(r => r.Return).ToArray());
        returns.LegendText = "episode return (last 100)";
        returns.MarkerSize = 0;
        returns.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "episode return";
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(pngPath, 900, 500);
    }
}
