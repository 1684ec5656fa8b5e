using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Tasks;

/// <summary>
/// Hand-written proportional controllers for the four Fetch tasks, reading only the observation (no
/// privileged simulator state): proof that the tasks are solvable through the real robot's action
/// path, and a baseline for learned policies. Stateless apart from the pick-and-place grasp phase.
/// </summary>
/// <param name="kind">The task.</param>
/// <param name="fullActionDistance">Position error (m) at which an axis' action saturates
/// (<see cref="FetchTaskSpec.FullActionDistance"/>): one step's 5 cm for the v4 ids.</param>
/// <param name="damping">Steps of the grip's own motion (its per-step displacement in the observation)
/// subtracted from every aim: 0 for the v4 ids, whose arm lands on each target within its step; the
/// deployable family's streamed arm is still moving when the next step begins, and a proportional aim
/// without damping overshoots by centimetres along the slow radial axis.</param>
/// <param name="nearestPushX">Push and Slide: the grip stands behind the object no nearer the robot than
/// this (m, base frame); a cube close to the robot that has to go outwards is pushed at a slant
/// instead. The deployable family keeps its joint targets inside the supervisor's ranges, and the arm
/// cannot reach down to the table nearer than about 0.49 m: it held still under such aims for the rest
/// of the episode.</param>
/// <param name="noisyObject">PickAndPlace: the object's pose is noisy and a step old (the deployable
/// family). Re-deciding every step reopened the fingers whenever the cube seemed a few millimetres off,
/// and the scripted PickAndPlace failed 6 of 40 bare episodes that way; with this set it closes from 1 cm
/// above the centre, only from fully open, and then commits to the grasp until the fingers stop.</param>
public sealed class ScriptedFetchController(FetchTaskKind kind, double fullActionDistance = FetchTaskSpec.ActionScale, double damping = 0,
    double nearestPushX = double.NegativeInfinity, bool noisyObject = false)
{
    private readonly double _gain = 1.0 / fullActionDistance;
    private readonly double[] _velocity = new double[3];
    private bool _grasped;
    private bool _closing;
    private int _closingSteps;

    // Pick-and-place geometry for the 5 cm cube (metres). The fingers open only to 6 cm: they move at
    // 5 cm/s each, so every extra centimetre of opening costs two steps to open and two to close.
    private const double Opening = 0.06;    // finger separation that clears the cube
    private const double Aligned = 0.01;    // horizontal grip-to-cube error at which to go down
    private const double Hover = 0.06;      // grip height above the cube's centre while still far off
    private const double Clear = 0.05;      // lowest grip height above the centre until the fingers are open
    private const double GraspMin = 0.03;   // a separation below this holds nothing
    private const double GraspMax = 0.057;  // ... and above this has not closed on the cube yet
    private const double Settle = 0.01;     // grip height above the centre at which to close (the pose's noise is ~2 mm)
    private const double Standoff = 0.06;   // Push: grip-to-object distance behind the object before pushing
    private const double Lift = 0.02;       // carry the cube this far above the goal: no dragging on the table

    /// <summary>Forget per-episode state; call at every reset.</summary>
    public void Reset()
    {
        _grasped = false;
        _closing = false;
    }

    /// <summary>Writes the 4-D action for <paramref name="observation"/> into <paramref name="action"/>.</summary>
    public void Act(DictValue observation, Span<float> action)
    {
        double[] o = observation.Observation();
        double[] goal = observation.DesiredGoal();
        var grip = (X: o[0], Y: o[1], Z: o[2]);
        int velp = kind == FetchTaskKind.Reach ? 5 : 20; // the grip's per-step displacement in each layout
        _velocity[0] = o[velp];
        _velocity[1] = o[velp + 1];
        _velocity[2] = o[velp + 2];
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

    private void Push(double[] o, double[] goal, Span<float> action, bool strike)
    {
        var grip = (X: o[0], Y: o[1], Z: o[2]);
        double ox = o[3], oy = o[4], oz = o[5];
        double dx = goal[0] - ox, dy = goal[1] - oy;
        double distance = Math.Sqrt(dx * dx + dy * dy);
        if (distance < 0.02)
        {
            // Close enough: keep still rather than chase centimetres and knock the object away.
            action.Clear();
            return;
        }
        dx /= distance;
        dy /= distance;
        if (ox - Standoff * dx < nearestPushX)
        {
            // Slant the push so that the stand-behind point stays reachable; the line is re-aimed every
            // step, and once the object is further out the push heads straight for the goal.
            double side = Math.Abs(dy) > 0.01 ? Math.Sign(dy) : Math.Sign(grip.Y - oy);
            dx = Math.Clamp((ox - nearestPushX) / Standoff, 0, 1);
            dy = (side == 0 ? 1 : side) * Math.Sqrt(1 - dx * dx);
        }
        // Stand behind the object on the line to the goal (coming down from above), then drive through it.
        double behindX = ox - Standoff * dx, behindY = oy - Standoff * dy;
        double toBehind = Math.Sqrt((grip.X - behindX) * (grip.X - behindX) + (grip.Y - behindY) * (grip.Y - behindY));
        double along = (grip.X - ox) * dx + (grip.Y - oy) * dy;          // < 0: behind the object
        double across = Math.Abs((grip.X - ox) * -dy + (grip.Y - oy) * dx); // distance from the line
        bool low = grip.Z < oz + 0.02;
        if (low && along < -0.02 && across < 0.03)
        {
            if (strike)
            {
                MoveTo(grip, ox + 0.1 * dx, oy + 0.1 * dy, oz, action); // Slide: a sharp hit, then the puck coasts
            }
            else
            {
                // Aim just behind the object's current position, advanced towards the goal: lateral
                // slip is corrected every step because the aim follows the object.
                double advance = Math.Min(distance, 0.06) - 0.035;
                MoveTo(grip, ox + advance * dx, oy + advance * dy, oz, action);
            }
        }
        else if (toBehind < 0.03)
        {
            // Nearly behind it: go down while closing the last few centimetres (saves steps).
            MoveTo(grip, behindX, behindY, oz, action);
        }
        else if (grip.Z < oz + 0.05 && along > -0.04)
        {
            MoveTo(grip, grip.X, grip.Y, oz + 0.08, action); // rise clear of the object before going round it
        }
        else
        {
            MoveTo(grip, behindX, behindY, Math.Max(oz + 0.08, grip.Z > oz + 0.05 ? oz + 0.08 : grip.Z), action);
        }
        action[3] = 0;
    }

    private void PickAndPlace(double[] o, double[] goal, Span<float> action)
    {
        var grip = (X: o[0], Y: o[1], Z: o[2]);
        double ox = o[3], oy = o[4], oz = o[5];
        double fingers = o[9] + o[10];
        double fingersClosing = -(o[23] + o[24]); // per-step change of the opening, > 0 while closing
        double horizontal = Math.Sqrt((grip.X - ox) * (grip.X - ox) + (grip.Y - oy) * (grip.Y - oy));
        if (_grasped && (horizontal > 0.04 || Math.Abs(grip.Z - oz) > 0.07 || fingers < GraspMin))
        {
            _grasped = false; // dropped it: start over
        }
        if (!_grasped)
        {
            if (_closing && (horizontal > 2.5 * Aligned || grip.Z > oz + Clear))
            {
                _closing = false; // the cube moved away while the fingers closed: align again
            }
            bool open = fingers >= Opening;
            bool low = grip.Z < oz + Clear;
            if (_closing)
            {
                // Committed to this grasp: the object's pose is noisy and a step old, and re-deciding every
                // step would reopen the fingers whenever it seemed a few millimetres off.
                MoveTo(grip, ox, oy, oz, action);
                action[3] = -1;
                if (++_closingSteps > 2 && Math.Abs(fingersClosing) < 0.001)
                {
                    // Held once the fingers have stopped on the cube's faces; stopped below that, on nothing.
                    _grasped = fingers > GraspMin && fingers < GraspMax;
                    _closing = false;
                }
                return;
            }
            // Aligned within 1 cm to go down; with a noisy pose, once low, within 2 cm (the aim keeps
            // correcting, and noise must not send the gripper back up).
            if (horizontal > (noisyObject && low ? 2 * Aligned : Aligned) || !open && !low)
            {
                // Above the object, and only down to where the fingers clear it while they open.
                MoveTo(grip, ox, oy, horizontal > 2 * Aligned ? oz + Hover : oz + Clear, action);
                action[3] = open ? 0f : 1f;
            }
            else if (noisyObject ? grip.Z > oz + Settle || !open : grip.Z > oz)
            {
                MoveTo(grip, ox, oy, oz, action); // down until the grip site is level with the cube's centre
                action[3] = open ? 0f : 1f;
            }
            else
            {
                MoveTo(grip, ox, oy, oz, action); // hold over the cube: a zero action would let the arm sag
                action[3] = -1;
                if (noisyObject)
                {
                    _closing = true; // from fully open only: a grasp judged on fingers that never opened means nothing
                    _closingSteps = 0;
                }
                else
                {
                    // Held once the fingers have stopped on the cube's faces (not on nothing).
                    _grasped = fingers > GraspMin && fingers < GraspMax && fingersClosing < 0.001;
                }
            }
            return;
        }
        // Carry the object, not the fingertips, to the goal: it hangs a few centimetres below the grip
        // site. Aim a little above the goal so fingers never drag along the table on the way.
        MoveTo(grip, goal[0] + grip.X - ox, goal[1] + grip.Y - oy, goal[2] + Lift + grip.Z - oz, action);
        action[3] = -1;
    }

    private void MoveTo((double X, double Y, double Z) grip, double x, double y, double z, Span<float> action)
    {
        action[0] = (float)Math.Clamp(_gain * (x - grip.X - damping * _velocity[0]), -1, 1);
        action[1] = (float)Math.Clamp(_gain * (y - grip.Y - damping * _velocity[1]), -1, 1);
        action[2] = (float)Math.Clamp(_gain * (z - grip.Z - damping * _velocity[2]), -1, 1);
    }
}
