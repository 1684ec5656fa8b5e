using RobotBridge.Robots;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;
using RobotBridge.Ros.Tests.Rosbridge;
using RobotBridge.Safety;

namespace RobotBridge.Ros.Tests.Fetch;

/// <summary>
/// rosbridge_suite lets any client publish on any topic and does not tell a subscriber who published a
/// message. A client republishing fake joint states (the shoulder_pan 1.4 during a deploy) must
/// therefore be caught by what the states themselves say: RosFetch refuses the samples the robot cannot
/// have produced, and the supervisor stops the robot, naming why.
/// </summary>
public sealed class SpoofedJointStateTests
{
    private const string ImplausibleSource = "implausible state";

    [Fact]
    public async Task A_second_publisher_on_the_joint_states_trips_the_supervisor_and_never_becomes_the_state()
    {
        await using var fixture = new ServerFixture();
        RosbridgeClient robotSide = await fixture.ConnectAsync();
        RosbridgeClient attacker = await fixture.ConnectAsync();
        using var robotStates = robotSide.Advertise<JointState>(FetchTopics.JointStates);
        using var fakeStates = attacker.Advertise<JointState>(FetchTopics.JointStates);

        using var cancel = new CancellationTokenSource();
        bool spoofing = false;
        // The robot: every joint at rest at 0 (shoulder_pan included), 100 Hz, stamped with the wall clock.
        var robot = Task.Run(async () =>
        {
            using var message = StateMessage(0.0);
            while (!cancel.IsCancellationRequested)
            {
                message.Header.Stamp = RosTime.FromTimeSpan(TimeSpan.FromTicks(DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks));
                robotStates.Publish(message);
                if (Volatile.Read(ref spoofing))
                {
                    using var fake = StateMessage(1.4);
                    fake.Header.Stamp = message.Header.Stamp;
                    fakeStates.Publish(fake);
                }
                await Task.Delay(10).ConfigureAwait(false);
            }
        });

        var latch = new EStopLatch();
        using var supervisor = ModelSafety.SuperviseFetch(new RosFetch(new RosFetchOptions(fixture.Server.Uri) { CameraTopic = null }), latch);
        var state = new RobotState();
        await ServerFixture.Eventually(() => { supervisor.ReadState(state); return state.IsValid; }, "a complete joint state from the robot");
        supervisor.Monitor();
        Assert.DoesNotContain(latch.Snapshot.ActiveSources, a => a.Source.ToString().Contains(ImplausibleSource));

        Volatile.Write(ref spoofing, true);
        await ServerFixture.Eventually(() =>
        {
            supervisor.Monitor();
            return latch.Snapshot.ActiveSources.Any(a => a.Source.ToString().Contains(ImplausibleSource));
        }, "the supervisor tripping on the spoofed joint states");
        ActiveStop stop = latch.Snapshot.ActiveSources.Single(a => a.Source.ToString().Contains(ImplausibleSource));
        Assert.Contains("shoulder_pan_joint jumped", stop.Cause);
        Assert.True(latch.Snapshot.State != EStopState.Running, "the latch let the robot run on spoofed states");
        for (int i = 0; i < 20; i++)
        {
            supervisor.ReadState(state);
            Assert.Equal(0.0, state.Position[FetchJoints.IndexOf(FetchJoints.ShoulderPan)]);
            await Task.Delay(10);
        }

        // Once the second publisher is gone the source clears (the latch still waits for an operator).
        Volatile.Write(ref spoofing, false);
        await ServerFixture.Eventually(() =>
        {
            supervisor.Monitor();
            return !latch.Snapshot.ActiveSources.Any(a => a.Source.ToString().Contains(ImplausibleSource));
        }, "the implausible-state source clearing after the spoofing stopped", TimeSpan.FromSeconds(5));

        await cancel.CancelAsync();
        await robot;
    }

    private static JointState StateMessage(double shoulderPan)
    {
        var message = new JointState();
        message.Name.AddRange(FetchJoints.All);
        Span<double> position = message.Position.Resize(FetchJoints.Count);
        position.Clear();
        position[FetchJoints.IndexOf(FetchJoints.ShoulderPan)] = shoulderPan;
        message.Velocity.Resize(FetchJoints.Count).Clear();
        message.Effort.Resize(FetchJoints.Count).Clear();
        return message;
    }
}
