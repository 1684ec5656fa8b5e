// A teleop operator in a few lines: connect to the robot's broker with an operator account, send
// heartbeats with the dead-man held (20 Hz), reset the e-stop, nudge the gripper up for a second,
// then trip the e-stop. Start the robot side first:
//   printf 'robot:r-secret:robot\nalice:a-secret:operator\n' > teleop-users.txt
//   robotbridge teleop serve --users teleop-users.txt
//   dotnet run -c Release --project examples/TeleopOperatorClient -- alice a-secret
using RobotBridge.Robots;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Operator;

string user = args.Length > 0 ? args[0] : "alice";
string password = args.Length > 1 ? args[1] : "a-secret";
var broker = new BrokerEndpoint { Host = "127.0.0.1", Port = 1883, UserName = user, Password = password };
await using var op = new TeleopOperator(broker, robotId: "fetch", operatorId: user);
try
{
    await op.ConnectAsync();
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    Console.Error.WriteLine($"cannot reach the robot's broker at {broker}: {e.Message}");
    return 1;
}

// The bridge trips the latch when an operator's heartbeat is older than its timeout (250 ms by
// default), so heartbeats run all the time the operator is connected.
using var stop = new CancellationTokenSource();
var heartbeats = Task.Run(async () =>
{
    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
    while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
    {
        await op.SendHeartbeatAsync(deadman: true, stop.Token).ConfigureAwait(false);
    }
});

await Task.Delay(300);
await op.ResetAsync();
await Task.Delay(300);
Console.WriteLine($"e-stop: {op.EStopState?.State ?? "unknown"}");

// Each motion command lives ttl_ms (200 ms by default): keep sending it to keep moving.
for (int i = 0; i < 20; i++)
{
    await op.SendGripperTwistAsync(new Twist(0, 0, 0.03, 0, 0, 0));
    await Task.Delay(50);
}
await op.TripAsync("example done");
await Task.Delay(300);
Console.WriteLine($"e-stop: {op.EStopState?.State ?? "unknown"}, cause: {op.EStopState?.Cause}");
await stop.CancelAsync();
try
{
    await heartbeats;
}
catch (OperationCanceledException)
{
}
return 0;
