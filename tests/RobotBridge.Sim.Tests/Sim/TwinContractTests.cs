using RobotBridge.Contracts;
using RobotBridge.Robots;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Sim.Tests.Sim;

/// <summary>The IRobot contract on the MuJoCo twin in lockstep (waiting on its clock steps the physics).</summary>
public sealed class TwinContractTests : RobotContractTests
{
    protected override Task<IRobotHarness> StartAsync() =>
        Task.FromResult<IRobotHarness>(new Harness(new FetchTwin(new FetchTwinOptions { Seed = 1, Camera = HeadCameraOptions.Off })));

    private sealed class Harness(FetchTwin twin) : IRobotHarness
    {
        public IRobot Robot => twin;
        public bool MovesOverTime => true;

        public ValueTask DisposeAsync()
        {
            twin.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
