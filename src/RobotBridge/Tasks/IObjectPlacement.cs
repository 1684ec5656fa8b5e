using RobotBridge.Model;

namespace RobotBridge.Tasks;

/// <summary>
/// Puts the task's object where an episode starts it, on a real body: a person asked through an
/// <see cref="IOperatorPrompt"/> (<see cref="OperatorPlacement"/>), or on a served twin the twin itself.
/// </summary>
public interface IObjectPlacement
{
    /// <summary>Returns once <paramref name="what"/> has been put on the table at <paramref name="at"/>'s
    /// x and y (robot base frame); throws <see cref="TaskResetException"/> when it was not.</summary>
    void Place(Vec3 at, string what, CancellationToken cancellationToken = default);
}

/// <summary>Asks the operator to place the object by hand and waits for their confirmation.</summary>
public sealed class OperatorPlacement(IOperatorPrompt prompt) : IObjectPlacement
{
    public void Place(Vec3 at, string what, CancellationToken cancellationToken = default)
    {
        if (!prompt.Confirm($"Place the {what} on the table at x={at.X:F3} m, y={at.Y:F3} m (robot base frame), then confirm.", cancellationToken))
        {
            throw new TaskResetException($"the operator did not confirm that the {what} is in place");
        }
    }
}

/// <summary>
/// Moves the task object at once (only a simulated scene can), for <c>robotbridge serve</c>'s twin-only
/// placement topic.
/// </summary>
public interface IObjectTeleporter
{
    /// <summary>Puts the object at rest on the table at <paramref name="inBase"/>'s x and y (robot base
    /// frame); returns null when it did, else why it did not (off the table…), having moved nothing.</summary>
    string? TryPlace(Vec3 inBase);
}
