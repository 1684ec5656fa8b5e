using RobotBridge.Robots;

namespace RobotBridge.Control;

/// <summary>What one control cycle sees: the latest measured state and camera frame, and times.</summary>
/// <remarks>The state and frame belong to the loop and are valid until the next cycle starts; copy what
/// must outlive it.</remarks>
public sealed class CycleObservation
{
    public RobotState State { get; } = new();

    /// <summary>Latest camera frame, or null (camera off or nothing yet).</summary>
    public CameraFrame? Camera { get; internal set; }

    /// <summary>Cycle number, from 0.</summary>
    public long Cycle { get; internal set; }

    /// <summary>Loop-clock time the cycle started.</summary>
    public TimeSpan Time { get; internal set; }
}

/// <summary>
/// The policy side of a control cycle. The loop calls <see cref="Infer"/> with the observation, then
/// <see cref="Command"/> with the (supervised) robot. Either may throw: the loop logs the fault and
/// stops the robot safely, and keeps running.
/// </summary>
public interface IControlCycle
{
    /// <summary>Compute the next command from the observation (no I/O).</summary>
    void Infer(CycleObservation observation);

    /// <summary>Write the computed command to the robot (non-blocking IRobot calls).</summary>
    void Command(IRobot robot);
}
