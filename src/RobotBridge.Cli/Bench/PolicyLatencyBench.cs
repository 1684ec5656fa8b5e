using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RobotBridge.Learning;
using RobotBridge.Learning.Deployment;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// `robotbridge bench policy`: latency of one deterministic policy action at batch 1 (what the
/// control loop pays per cycle), for MLP policies of FetchReach's input size and for the CNN
/// policy on an 84x84x3 camera image. Randomly initialised weights: latency does not depend on them.
/// </summary>
internal static class PolicyLatencyBench
{
    public static Command Create()
    {
        var iterations = new Option<int>("--iterations") { Description = "Timed actions per policy (after 200 warm-up actions)", DefaultValueFactory = _ => 5000 }.Range(1, 10_000_000);
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (at most the core count)", DefaultValueFactory = _ => 1 }.Range(1, int.MaxValue);
        var command = new Command("policy",
            "Policy inference latency at batch 1 (p50/p99) for MLP and CNN policies.\nExample: robotbridge bench policy --iterations 5000");
        command.Options.Add(iterations);
        command.Options.Add(threads);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            int n = parse.GetValue(iterations), t = ThreadLimit.Cap(parse.GetValue(threads), "--threads", parse.InvocationConfiguration.Error, "robotbridge bench policy");
            TorchRuntime.Configure(seed: 1, threads: t);
            output.WriteLine($"policy inference, batch 1, {n} actions each, {t} torch thread(s), {Environment.ProcessorCount} cores, load average {LoadAverage()}");
            output.WriteLine("policy                                  p50 ms    p99 ms    max ms");
            // FetchReach: observation 10 + desired goal 3, action 4.
            Measure(output, "MLP 13→64→64→4 (Zoo FetchReach size)", Spec(13, 4, [64, 64], null), n);
            Measure(output, "MLP 13→256→256→256→4 (HER paper size)", Spec(13, 4, [256, 256, 256], null), n);
            Measure(output, "MLP 28→512→512→512→4 (Zoo FetchPush)", Spec(28, 4, [512, 512, 512], null), n);
            Measure(output, "CNN 84x84x3 + 13 → 256 → 64→64→4", Spec(13, 4, [64, 64], new ImageShape(84, 84, 3)), n);
            return 0;
        });
        return command;
    }

    private static PolicySpec Spec(int vector, int actions, int[] hidden, ImageShape? image) => new()
    {
        VectorKeys = ["observation", "desired_goal"],
        VectorSize = vector,
        ActionSize = actions,
        ActionLow = Enumerable.Repeat(-1f, actions).ToArray(),
        ActionHigh = Enumerable.Repeat(1f, actions).ToArray(),
        HiddenSizes = hidden,
        ImageKey = image is null ? null : "image",
        Image = image,
    };

    private static void Measure(TextWriter output, string name, PolicySpec spec, int iterations)
    {
        using var policy = new SquashedGaussianPolicy(spec);
        policy.eval();
        var rng = new Random(1);
        var vector = new float[spec.VectorSize];
        var image = new byte[spec.Image?.Size ?? 0];
        var action = new float[spec.ActionSize];
        var samples = new List<TimeSpan>(iterations);
        var watch = new Stopwatch();
        for (int i = -200; i < iterations; i++)
        {
            for (int k = 0; k < vector.Length; k++) vector[k] = (float)rng.NextDouble();
            rng.NextBytes(image);
            watch.Restart();
            policy.Act(vector, image, action);
            watch.Stop();
            if (i >= 0) samples.Add(watch.Elapsed);
        }
        var s = LatencySummary.Of(samples);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-38} {s.P50.TotalMilliseconds,8:F3}  {s.P99.TotalMilliseconds,8:F3}  {s.Max.TotalMilliseconds,8:F3}"));
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "n/a"; }
    }
}
