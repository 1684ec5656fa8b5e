using System.CommandLine;
using RobotBridge.Cli.Bench;

namespace RobotBridge.Cli.Commands;

/// <summary><c>robotbridge bench estop-supervisor</c>: latency from an e-stop trip to the stop command leaving the supervisor.</summary>
internal static class SupervisorStopBenchCommand
{
    public static Command Create()
    {
        var trips = new Option<int>("--trips") { Description = "Number of trips to measure.", DefaultValueFactory = _ => 1000 }.Range(1, 1_000_000);
        var rate = new Option<double>("--rate") { Description = "Control loop rate (Hz) running during the trips.", DefaultValueFactory = _ => 100 }.Range(1, 1000, "Hz");
        var command = new Command("estop-supervisor",
            "E-stop latency on the twin (real-time clock, supervised control loop running): trip -> stop command leaving the supervisor.\n" +
            "Example: robotbridge bench estop-supervisor --trips 1000\n(robotbridge bench estop measures the whole MQTT teleop path instead.)");
        command.Options.Add(trips);
        command.Options.Add(rate);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            int n = parse.GetValue(trips);
            if (n < 1)
            {
                parse.InvocationConfiguration.Error.WriteLine($"robotbridge bench estop-supervisor: --trips must be at least 1, got {n}");
                return Program.UsageError;
            }
            var result = SupervisorStopLatencyBench.Run(n, parse.GetValue(rate));
            output.WriteLine($"e-stop latency over {result.Trips} trips (twin in real time, {parse.GetValue(rate)} Hz supervised loop running, trips from another thread)");
            output.WriteLine("| measured from Trip() to | p50 (µs) | p99 (µs) | max (µs) |");
            output.WriteLine("| --- | --- | --- | --- |");
            output.WriteLine($"| stop command leaves the supervisor (IRobot.Stop entered) | {result.TripToStopCall.P50 * 1000:F1} | {result.TripToStopCall.P99 * 1000:F1} | {result.TripToStopCall.Max * 1000:F1} |");
            output.WriteLine($"| twin has aborted goals and holds (IRobot.Stop returned) | {result.TripToStopReturned.P50 * 1000:F1} | {result.TripToStopReturned.P99 * 1000:F1} | {result.TripToStopReturned.Max * 1000:F1} |");
            return 0;
        });
        return command;
    }
}
