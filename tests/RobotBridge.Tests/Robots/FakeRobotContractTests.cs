using RobotBridge.Contracts;
using RobotBridge.Robots;

namespace RobotBridge.Tests.Robots;

/// <summary>The IRobot contract on the body without physics.</summary>
public sealed class FakeRobotContractTests : RobotContractTests
{
    protected override Task<IRobotHarness> StartAsync() => Task.FromResult<IRobotHarness>(new Harness(new FakeRobot()));

    private sealed class Harness(FakeRobot robot) : IRobotHarness
    {
        public IRobot Robot => robot;
        public bool MovesOverTime => false;

        public ValueTask DisposeAsync()
        {
            robot.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
