using System.CommandLine;
using RobotBridge.Cli.Bench;
using RobotBridge.Ros.Fetch;

namespace RobotBridge.Cli.Commands;

/// <summary><c>robotbridge bench e2e</c>: see <see cref="EndToEndBench"/>.</summary>
internal static class EndToEndBenchCommand
{
    public static Command Create()
    {
        var robot = new Option<string?>("--robot") { Description = "A rosbridge Fetch (ws://HOST:9090): robotbridge serve elsewhere or the real robot, whose arm then moves a few cm up and down. Default: a twin served in this process." };
        var seconds = new Option<double>("--seconds") { Description = "Measurement time (the gripper pulses every 1.6 s: about 0.6 onsets per second).", DefaultValueFactory = _ => 20 }.Range(2, 3600, "s");
        var camera = new Option<string>("--camera-topic") { Description = "Camera topic the policy reads: by default the throttled stream launch/head_camera.launch and robotbridge serve publish (10 Hz of the 15 Hz camera); /head_camera/rgb/image_raw for the camera's own.", DefaultValueFactory = _ => FetchTopics.RgbThrottled };
        var width = new Option<int>("--camera-width") { Description = "Camera width of the twin served in this process (640 = the Fetch's 640x480; the twin renders on the CPU here, so smaller frees it).", DefaultValueFactory = _ => 640 }.Range(16, 640);
        var command = new Command("e2e",
            "Command-to-motion latency and camera age at the policy through rosbridge (supervised 25 Hz loop, RosFetch, served twin or a real Fetch).\n" +
            "Example: robotbridge bench e2e --seconds 20");
        command.Options.Add(robot);
        command.Options.Add(seconds);
        command.Options.Add(camera);
        command.Options.Add(width);
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            Uri? uri = null;
            if (parse.GetValue(robot) is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out uri) || uri.Scheme is not ("ws" or "wss")))
            {
                error.WriteLine($"robotbridge bench e2e: --robot must be a rosbridge URL such as ws://fetch:9090, got '{url}'");
                return Program.UsageError;
            }
            if (parse.GetValue(seconds) is < 2 or > 3600)
            {
                error.WriteLine("robotbridge bench e2e: --seconds must be between 2 and 3600");
                return Program.UsageError;
            }
            if (parse.GetValue(width) is < 16 or > 640)
            {
                error.WriteLine("robotbridge bench e2e: --camera-width must be between 16 and 640");
                return Program.UsageError;
            }
            return EndToEndBench.Run(parse.InvocationConfiguration.Output, uri, parse.GetValue(seconds), parse.GetValue(camera)!, parse.GetValue(width));
        });
        return command;
    }
}
