using System.CommandLine;
using System.Globalization;
using RobotBridge.Cli.Bench;

namespace RobotBridge.Cli.Commands;

/// <summary><c>robotbridge bench estop</c>: e-stop latency over MQTT through each broker.</summary>
internal static class TeleopBenchCommand
{
    public static Command Create()
    {
        var trips = new Option<int>("--trips") { Description = "Trips per broker.", DefaultValueFactory = _ => 1000 }.Range(1, 1_000_000);
        var brokers = new Option<string>("--brokers") { Description = "Comma-separated: embedded, mosquitto.", DefaultValueFactory = _ => "embedded,mosquitto" };
        var command = new Command("estop",
            "E-stop latency from an operator's MQTT publish to the stop command at the robot interface (twin under the safety supervisor).\n" +
            "Example: robotbridge bench estop --trips 1000");
        command.Options.Add(trips);
        command.Options.Add(brokers);
        command.SetAction(async (parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            int n = parse.GetValue(trips);
            if (n < 1)
            {
                parse.InvocationConfiguration.Error.WriteLine($"robotbridge bench estop: --trips must be at least 1, got {n}");
                return Program.UsageError;
            }
            var names = parse.GetValue(brokers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var name in names.Where(b => b is not ("embedded" or "mosquitto")))
            {
                parse.InvocationConfiguration.Error.WriteLine($"robotbridge bench estop: unknown broker '{name}'; use embedded or mosquitto");
                return Program.UsageError;
            }
            output.WriteLine($"e-stop latency, operator publish → IRobot.Stop on the twin, {n} trips per broker (after 20 warm-up trips), {Environment.ProcessorCount} cores, loopback TCP, QoS 1");
            output.WriteLine("| broker | trips | p50 ms | p99 ms | max ms | mean ms |");
            output.WriteLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var name in names)
            {
                var s = await EStopLatencyBench.RunAsync(name, n, TextWriter.Null);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(name == "embedded" ? "embedded MQTTnet" : "mosquitto (Debian)")} | {s.Count} | {s.P50:F3} | {s.P99:F3} | {s.Max:F3} | {s.Mean:F3} |"));
            }
            return 0;
        });
        return command;
    }
}
