using RobotBridge.Contracts;
using RobotBridge.Robots;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Tests.Rosbridge;

namespace RobotBridge.Ros.Tests.Fetch;

/// <summary>The IRobot contract on RosFetch → our rosbridge server → the real-time twin (what
/// <c>robotbridge serve</c> runs): the same clauses the twin and FakeRobot pass, over a real WebSocket.</summary>
public sealed class ServedTwinContractTests : RobotContractTests
{
    protected override async Task<IRobotHarness> StartAsync()
    {
        var served = new ServedTwin();
        var robot = new RosFetch(new RosFetchOptions(served.Server.Uri));
        if (!await robot.WaitForStateAsync(TimeSpan.FromSeconds(15)))
        {
            robot.Dispose();
            await served.DisposeAsync();
            Assert.Fail("no joint state from the served twin within 15 s");
        }
        return new Harness(served, robot);
    }

    private sealed class Harness(ServedTwin served, RosFetch robot) : IRobotHarness
    {
        public IRobot Robot => robot;
        public bool MovesOverTime => true;

        public async ValueTask DisposeAsync()
        {
            robot.Dispose();
            await served.DisposeAsync();
        }
    }
}
