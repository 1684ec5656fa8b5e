namespace RobotBridge.Tasks;

/// <summary>
/// Asks the operator to do something by hand (place the object for the next episode) and blocks until
/// they confirm. The console and the teleop channel each provide one.
/// </summary>
public interface IOperatorPrompt
{
    /// <summary>Shows <paramref name="request"/>; returns once the operator confirms, false if they refuse.</summary>
    bool Confirm(string request, CancellationToken cancellationToken = default);
}

/// <summary>Where the task's object is on a real robot (a tracker, a fiducial detector…).</summary>
public interface IObjectTracker
{
    bool TryGetObjectState(out ObjectState state);
}
