using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Tasks;

/// <summary>
/// Hand-written proportional controllers for the four Fetch tasks, reading only the observation (no
/// privileged simulator state): proof that the tasks are solvable through the real robot's action
/// path, and a baseline for learned policies. Stateless apart from the pick-and-place grasp phase.
/// </summary>
public sealed class ScriptedFetchController(FetchTaskKind kind)
{
    private const double Gain = 1.0 / FetchTaskSpec.ActionScale; // a unit action moves 5 cm: error/5 cm saturates
    private bool _grasped;

    /// <summary>Forget per-episode state; call at every reset.</summary>
    public void Reset() => _grasped = false;

    /// <summary>Writes the 4-D action for <paramref name="observation"/> into <paramref name="action"/>.</summary>
    public void Act(DictValue observation, Span<float> action)
    {
        double[] o = observation.Observation();
        double[] goal = observation.DesiredGoal();
        var grip = (X: o[0], Y: o[1], Z: o[2]);
        switch (kind)
        {
            case FetchTaskKind.Reach:
                MoveTo(grip, goal[0], goal[1], goal[2], action);
                action[3] = 0;
                break;
            case FetchTaskKind.Push:
            case FetchTaskKind.Slide:
                Push(o, goal, action, kind == FetchTaskKind.Slide);
                break;
            case FetchTaskKind.PickAndPlace:
                PickAndPlace(o, goal, action);
                break;
        }
    }

    private static void Push(double[] o, double[] goal, Span<float> action, bool strike)
    {
        var grip = (X: o[0], Y: o[1], Z: o[2]);
        double ox = o[3], oy = o[4], oz = o[5];
        double dx = goal[0] - ox, dy = goal[1] - oy;
        double distance = Math.Sqrt(dx * dx + dy * dy);
        if (distance < 1e-6)
        {
            MoveTo(grip, grip.X, grip.Y, grip.Z, action);
            return;
        }
        dx /= distance;
        dy /= distance;
        // Stand behind the object on the line to the goal, then drive through it.
        double behindX = ox - 0.06 * dx, behindY = oy - 0.06 * dy;
        double offLine = Math.Sqrt((grip.X - behindX) * (grip.X - behindX) + (grip.Y - behindY) * (grip.Y - behindY));
        double alongLine = (grip.X - ox) * dx + (grip.Y - oy) * dy; // < 0 when behind the object
        bool aligned = offLine < 0.02 || (alongLine < -0.02 && Math.Abs((grip.X - ox) * -dy + (grip.Y - oy) * dx) < 0.012);
        if (!aligned)
        {
            // Go around above the object, then come down behind it.
            double clearance = Math.Sqrt((grip.X - behindX) * (grip.X - behindX) + (grip.Y - behindY) * (grip.Y - behindY)) > 0.03 ? oz + 0.08 : oz;
            MoveTo(grip, behindX, behindY, clearance, action);
        }
        else if (strike)
        {
            // Slide: a sharp hit along the line, then let the puck coast.
            MoveTo(grip, ox + 0.1 * dx, oy + 0.1 * dy, oz, action);
        }
        else
        {
            MoveTo(grip, goal[0] - 0.02 * dx, goal[1] - 0.02 * dy, oz, action);
        }
        action[3] = 0;
    }

    private void PickAndPlace(double[] o, double[] goal, Span<float> action)
    {
        var grip = (X: o[0], Y: o[1], Z: o[2]);
        double ox = o[3], oy = o[4], oz = o[5];
        double fingers = o[9] + o[10];
        double horizontal = Math.Sqrt((grip.X - ox) * (grip.X - ox) + (grip.Y - oy) * (grip.Y - oy));
        bool between = horizontal < 0.015 && Math.Abs(grip.Z - oz) < 0.015;
        if (_grasped && (horizontal > 0.04 || Math.Abs(grip.Z - oz) > 0.04))
        {
            _grasped = false; // dropped it: start over
        }
        if (!_grasped)
        {
            if (horizontal > 0.012)
            {
                MoveTo(grip, ox, oy, oz + 0.08, action);
                action[3] = 1; // open on the way
            }
            else if (!between)
            {
                MoveTo(grip, ox, oy, oz, action);
                action[3] = 1;
            }
            else
            {
                action[0] = action[1] = action[2] = 0;
                action[3] = -1;
                _grasped = fingers < 0.06; // closed onto the 5 cm cube
            }
            return;
        }
        MoveTo(grip, goal[0], goal[1], goal[2], action);
        action[3] = -1;
    }

    private static void MoveTo((double X, double Y, double Z) grip, double x, double y, double z, Span<float> action)
    {
        action[0] = (float)Math.Clamp(Gain * (x - grip.X), -1, 1);
        action[1] = (float)Math.Clamp(Gain * (y - grip.Y), -1, 1);
        action[2] = (float)Math.Clamp(Gain * (z - grip.Z), -1, 1);
    }
}
