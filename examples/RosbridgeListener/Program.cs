// A rosbridge client: connect to a Fetch's rosbridge (or `robotbridge serve`), subscribe to
// /joint_states as JSON (rosbridge_suite on ROS 1 cannot CBOR-encode its string[] names), and print
// the arm's shoulder for two seconds. The callback runs on the client's receive path: keep it short.
//   robotbridge serve --port 9090 --no-camera      (or a real robot)
//   dotnet run -c Release --project examples/RosbridgeListener -- ws://127.0.0.1:9090
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Messages;

var uri = new Uri(args.Length > 0 ? args[0] : "ws://127.0.0.1:9090");
await using var client = new RosbridgeClient(new RosbridgeClientOptions(uri));
client.Start();
if (!await client.WaitConnectedAsync(TimeSpan.FromSeconds(5)))
{
    Console.Error.WriteLine($"no rosbridge server answered at {uri}");
    return 1;
}

long received = 0;
using var states = client.Subscribe<JointState>("/joint_states", onMessage: state =>
{
    if (Interlocked.Increment(ref received) % 50 == 0)
    {
        int i = state.Name.IndexOf("shoulder_pan_joint");
        if (i >= 0)
        {
            Console.WriteLine($"t={state.Header.Stamp} shoulder_pan_joint={state.Position.Span[i]:F4} rad");
        }
    }
});
await Task.Delay(TimeSpan.FromSeconds(2));
Console.WriteLine($"{Interlocked.Read(ref received)} joint states in 2 s");
return 0;
