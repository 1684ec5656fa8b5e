using System.CommandLine;
using System.Globalization;
using RobotBridge.Cli.Bench;
using RobotBridge.Control;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// <c>robotbridge bench …</c>: measurements that take too long for unit tests. Each subcommand prints
/// its figures and the conditions they were taken under. Other areas add their benchmarks as
/// further subcommands here.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Run a benchmark and print its figures.\nExample: robotbridge bench loop --rates 100,500 --seconds 60 --load");
        bench.Subcommands.Add(CreateLoop());
        bench.Subcommands.Add(TeleopBenchCommand.Create());
        bench.Subcommands.Add(WebBenchCommand.Create());
        bench.Subcommands.Add(PolicyLatencyBench.Create());
        bench.Subcommands.Add(RosbridgeBenchCommand.Create());
        bench.Subcommands.Add(SupervisorStopBenchCommand.Create());
        bench.Subcommands.Add(TasksBenchCommand.Create());
        bench.Subcommands.Add(DistributedBenchCommand.Create());
        bench.Subcommands.Add(RosbridgeBenchCommand.CreateReceiver());
        bench.Subcommands.Add(EndToEndBenchCommand.Create());
        bench.Subcommands.Add(ServeCameraBenchCommand.Create());
        bench.Subcommands.Add(AprilTagBenchCommand.Create());
        bench.Subcommands.Add(TrackerBenchCommand.Create());
        return bench;
    }

    private static Command CreateLoop()
    {
        var rates = new Option<string>("--rates") { Description = "Comma-separated loop rates in Hz (≤ 500).", DefaultValueFactory = _ => "100,500" };
        var seconds = new Option<double>("--seconds") { Description = "Duration of each run in seconds.", DefaultValueFactory = _ => 60 }.Range(0.1, 86_400, "s");
        var load = new Option<bool>("--load") { Description = "Keep one other core busy (a sha256sum process) during every run." };
        var realtime = new Option<int>("--realtime") { Description = "SCHED_FIFO priority for the loop thread (1-99; 0 = normal scheduling).", DefaultValueFactory = _ => 0 }.Range(0, 99);
        var noRospy = new Option<bool>("--no-rospy") { Description = "Skip the rospy.Rate reference loop." };
        var spin = new Option<double?>("--spin-us") { Description = "How long before each wake the loop stops sleeping and spins, in µs (default: the WallClock's, 200; 0 = never spin)." }.Range(0, 10_000, "µs");
        var command = new Command("loop",
            "Period jitter of the control loop (wall clock, dedicated thread) side by side with a rospy.Rate loop at the same rates.\n" +
            "Example: robotbridge bench loop --rates 100,500 --seconds 60 --load");
        command.Options.Add(rates);
        command.Options.Add(seconds);
        command.Options.Add(load);
        command.Options.Add(noRospy);
        command.Options.Add(realtime);
        command.Options.Add(spin);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            double duration = parse.GetValue(seconds);
            double[] hz;
            try
            {
                hz = parse.GetValue(rates)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(r => double.Parse(r, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (FormatException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"robotbridge bench loop: --rates must be numbers separated by commas, got '{parse.GetValue(rates)}'");
                return Program.UsageError;
            }
            if (hz.Length == 0 || hz.Any(r => !(r is > 0 and <= 500)))
            {
                throw new CliUsageException($"--rates must be rates above 0 and at most 500 Hz separated by commas, got '{parse.GetValue(rates)}'");
            }
            output.WriteLine($"loop pacing, {duration} s per run, {Environment.ProcessorCount} cores, other core {(parse.GetValue(load) ? "loaded (sha256sum /dev/zero)" : "idle")}");
            output.WriteLine("| loop | rate | period p50 | period p99 | period max | jitter p50 | jitter p99 | jitter max | late wakes |");
            output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            var notes = new List<string>();
            foreach (double rate in hz)
            {
                using (parse.GetValue(load) ? new CpuLoad() : null)
                {
                    TimeSpan? spinThreshold = parse.GetValue(spin) is double us ? TimeSpan.FromMicroseconds(us) : null;
                    var (wakes, scheduling, diagnostics, lateWakes) = LoopJitterBench.Run(rate, duration, parse.GetValue(realtime), spinThreshold);
                    Row(output, $"RobotBridge ControlLoop ({scheduling}, spin {(spinThreshold ?? WallClock.DefaultSpinThreshold).TotalMicroseconds:F0} µs)", rate, WakeAnalysis.Of(wakes, rate));
                    if (diagnostics is not null)
                    {
                        notes.Add($"{rate} Hz: {diagnostics}");
                    }
                    notes.AddRange(lateWakes);
                }
                if (!parse.GetValue(noRospy))
                {
                    using (parse.GetValue(load) ? new CpuLoad() : null)
                    {
                        var wakes = RospyRateBench.Run(rate, duration, output);
                        Row(output, "rospy.Rate (python3)", rate, WakeAnalysis.Of(wakes, rate));
                    }
                }
            }
            output.WriteLine("period = time between successive wakes; period jitter = |period − nominal|; late = period > 1.5 × nominal; all in ms.");
            foreach (string note in notes)
            {
                output.WriteLine(note);
            }
            return 0;
        });
        return command;
    }

    private static void Row(TextWriter output, string name, double rate, WakeAnalysis a) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {rate} Hz | {a.Period.P50:F3} | {a.Period.P99:F3} | {a.Period.Max:F3} | {a.Jitter.P50:F3} | {a.Jitter.P99:F3} | {a.Jitter.Max:F3} | {a.Late} |"));
}
