using System.Diagnostics;
using RobotBridge.Robots;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// The twin's clock. Lockstep: <see cref="WaitUntil"/> steps the physics to the requested time on
/// the caller's thread. Real time: a pump thread keeps the physics on the wall clock and
/// <see cref="WaitUntil"/> sleeps.
/// </summary>
internal sealed class TwinClock : IRobotClock
{
    private readonly FetchTwin _twin;

    public TwinClock(FetchTwin twin, bool isVirtual)
    {
        _twin = twin;
        IsVirtual = isVirtual;
    }

    public TimeSpan Now => _twin.SimTime;

    public bool IsVirtual { get; }

    public void WaitUntil(TimeSpan time, CancellationToken cancellationToken = default)
    {
        if (IsVirtual)
        {
            _twin.AdvanceTo(time, cancellationToken);
            return;
        }
        while (_twin.SimTime < time)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan remaining = time - _twin.SimTime;
            Thread.Sleep(remaining > TimeSpan.FromMilliseconds(2) ? remaining - TimeSpan.FromMilliseconds(1) : TimeSpan.FromMilliseconds(1));
        }
    }
}

/// <summary>Steps the twin on a background thread so its sim time follows the wall clock.</summary>
internal sealed class RealTimePump : IDisposable
{
    private readonly FetchTwin _twin;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();

    public RealTimePump(FetchTwin twin)
    {
        _twin = twin;
        _thread = new Thread(Run) { IsBackground = true, Name = "FetchTwin real-time pump" };
        _thread.Start();
    }

    /// <summary>Times the physics could not keep up with the wall clock (sim time jumped ahead).</summary>
    public long Overruns { get; private set; }

    private void Run()
    {
        var wall = Stopwatch.StartNew();
        TimeSpan origin = _twin.SimTime;
        while (!_stop.IsCancellationRequested)
        {
            TimeSpan target = origin + wall.Elapsed;
            try
            {
                _twin.AdvanceTo(target, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (origin + wall.Elapsed - target > TimeSpan.FromMilliseconds(50))
            {
                Overruns++;
            }
            _stop.Token.WaitHandle.WaitOne(1);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
