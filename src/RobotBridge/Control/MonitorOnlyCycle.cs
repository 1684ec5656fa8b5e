using RobotBridge.Robots;

namespace RobotBridge.Control;

/// <summary>
/// A control cycle that commands nothing: the loop still runs its guard's checks and reads the state
/// at its rate. For a robot driven through another channel (teleop), whose safety checks must not
/// depend on commands arriving.
/// </summary>
public sealed class MonitorOnlyCycle : IControlCycle
{
    public static MonitorOnlyCycle Instance { get; } = new();

    private MonitorOnlyCycle()
    {
    }

    public void Infer(CycleObservation observation)
    {
    }

    public void Command(IRobot robot)
    {
    }
}
