using BenchmarkDotNet.Attributes;
using RobotBridge.Robots;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Benchmarks;

/// <summary>
/// The MuJoCo twin's hot paths: one Gym control step (20 physics steps of 2 ms with a state read and a
/// cartesian twist command) and one 84x84 head-camera frame. `robotbridge sim bench` measures the
/// same against a plain C mj_step loop.
/// Run: dotnet run -c Release --project src/RobotBridge.Benchmarks -- --filter '*SimTwin*'
/// </summary>
[MemoryDiagnoser]
public class SimTwinBenchmarks
{
    private FetchTwin _twin = null!;
    private FetchTwin _cameraTwin = null!;
    private readonly RobotState _state = new();

    [GlobalSetup]
    public void Setup()
    {
        _twin = new FetchTwin();
        _cameraTwin = new FetchTwin(new FetchTwinOptions { Camera = HeadCameraOptions.Policy(84, rate: 25) });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _twin.Dispose();
        _cameraTwin.Dispose();
    }

    [Benchmark(Description = "control step: ReadState + twist + 20 x 2 ms")]
    public void ControlStep()
    {
        _twin.ReadState(_state);
        _twin.SendCartesianTwist(new Twist(0, 0, 0, 0, 0, 0));
        _twin.Clock.WaitUntil(_twin.Clock.Now + TimeSpan.FromMilliseconds(40));
    }

    [Benchmark(Description = "control step with an 84x84 RGB frame")]
    public void ControlStepWithCamera()
    {
        _cameraTwin.ReadState(_state);
        _cameraTwin.Clock.WaitUntil(_cameraTwin.Clock.Now + TimeSpan.FromMilliseconds(40));
        _cameraTwin.TryGetCameraFrame()?.Dispose();
    }
}
