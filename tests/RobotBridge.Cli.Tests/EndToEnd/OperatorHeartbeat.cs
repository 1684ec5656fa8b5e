using RobotBridge.Teleop.Operator;

namespace RobotBridge.Cli.Tests.EndToEnd;

/// <summary>An operator console's dead-man heartbeat every 50 ms, on its own thread (as a console
/// would run it), so a busy thread pool in the test cannot silence it and trip the robot's watchdog.</summary>
internal sealed class OperatorHeartbeat : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public OperatorHeartbeat(TeleopOperator console)
    {
        _thread = new Thread(() => Beat(console, _stop.Token)) { IsBackground = true, Name = "test operator heartbeat" };
        _thread.Start();
    }

    private static void Beat(TeleopOperator console, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                console.SendHeartbeatAsync(deadman: true, stop).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception)
            {
                // a lost heartbeat is what the robot's watchdog is for: it would show as an unexpected stop
            }
            stop.WaitHandle.WaitOne(50);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
