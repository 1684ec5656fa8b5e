using System.CommandLine;
using System.Globalization;
using RobotBridge.Cli.Bench;

namespace RobotBridge.Cli.Commands;

/// <summary><c>robotbridge bench estop-web</c>: click on the browser console's STOP → stop at the robot,
/// next to the MQTT client's figure on the same machine.</summary>
internal static class WebBenchCommand
{
    public static Command Create()
    {
        var clicks = new Option<int>("--clicks") { Description = "STOP clicks to measure (and as many MQTT trips).", DefaultValueFactory = _ => 200 };
        var chromium = new Option<string>("--chromium") { Description = "Chromium binary (Debian package chromium).", DefaultValueFactory = _ => "/usr/bin/chromium" };
        var driver = new Option<string>("--chromedriver") { Description = "chromedriver binary (Debian package chromium-driver).", DefaultValueFactory = _ => "/usr/bin/chromedriver" };
        var command = new Command("estop-web",
            "E-stop latency from the web console: click on STOP in headless Chromium → IRobot.Stop on the twin, and the page's own press → confirmed-stop round trip, beside an MQTT client's figures.\n" +
            "Example: robotbridge bench estop-web --clicks 200");
        command.Options.Add(clicks);
        command.Options.Add(chromium);
        command.Options.Add(driver);
        command.SetAction(async (parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            int n = parse.GetValue(clicks);
            if (n < 1)
            {
                error.WriteLine($"robotbridge bench estop-web: --clicks must be at least 1, got {n}");
                return Program.UsageError;
            }
            foreach (string path in new[] { parse.GetValue(chromium)!, parse.GetValue(driver)! })
            {
                if (!File.Exists(path))
                {
                    error.WriteLine($"robotbridge bench estop-web: {path} does not exist (apt-get install chromium chromium-driver)");
                    return Program.UsageError;
                }
            }
            var web = await WebEStopLatencyBench.RunAsync(n, parse.GetValue(chromium)!, parse.GetValue(driver)!);
            var mqtt = await EStopLatencyBench.RunAsync("embedded", n, TextWriter.Null);
            output.WriteLine($"e-stop latency to IRobot.Stop on the twin (real time, safety supervisor), {n} each after 20 warm-up, {Environment.ProcessorCount} cores, loopback, embedded MQTTnet broker");
            output.WriteLine("| path | n | p50 ms | p99 ms | max ms | mean ms |");
            output.WriteLine("| --- | --- | --- | --- | --- | --- |");
            output.WriteLine(Row("web console: STOP click (WebDriver) → IRobot.Stop", web.ClickToStop));
            output.WriteLine(Row("  the WebDriver click call alone", web.ClickCall));
            output.WriteLine(Row("web console, measured by the page: press → stopped state back on the page", web.PageRoundTrip));
            output.WriteLine(Row("MQTT client (TCP): trip publish → stopped state back at the client", web.MqttRoundTrip));
            output.WriteLine(Row("MQTT client (TCP): trip publish → IRobot.Stop", mqtt));
            return 0;
        });
        return command;
    }

    private static string Row(string name, Control.TimingSummary s) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {s.Count} | {s.P50:F3} | {s.P99:F3} | {s.Max:F3} | {s.Mean:F3} |");
}
