using RobotBridge.Gym;

namespace RobotBridge.Safety;

/// <summary>The <see cref="Info"/> key an env behind a safety guard adds. It lives with the safety code
/// so the Gym core does not depend on it.</summary>
public static class SafetyInfoKeys
{
    /// <summary>State of the e-stop latch when the step ended (<see cref="SafetySnapshot"/>).</summary>
    public static readonly InfoKey<SafetySnapshot> Safety = new("safety");
}
