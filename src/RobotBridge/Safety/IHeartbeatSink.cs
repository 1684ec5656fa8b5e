namespace RobotBridge.Safety;

/// <summary>
/// Where an operator channel (MQTT teleop, a joystick) reports that the operator is alive.
/// Call <see cref="Beat"/> on every heartbeat message; pass whether the dead-man switch is held.
/// Implemented by <see cref="HeartbeatWatchdog"/>; safe to call from any thread.
/// </summary>
public interface IHeartbeatSink
{
    void Beat(bool deadmanHeld = true);
}
