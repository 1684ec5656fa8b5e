namespace RobotBridge.Sim.Controllers;

/// <summary>
/// The part of the twin's leadscrew that loads cannot back-drive: stops per finger, written into the
/// finger joint's limits each physics step, so MuJoCo's constraint solver (not the force-capped motor)
/// carries a load that would push a finger where the screw does not take it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Against the nut's travel a ratchet follows each finger <see cref="Backlash"/> behind the
/// furthest it has gone. The contact gives a little when a closing finger meets an object and
/// springs back; within the backlash that settles to the commanded squeeze (the motor yields at its
/// effort), beyond it a load pushing the finger back meets the stop.</item>
/// <item>Along the travel, while the nut turns, the finger servo (stiff and strong that way, see
/// <c>FetchBody</c>) holds the finger to the nut. Once the nut stands still a stop just ahead of the
/// nut (or of the finger, if a load had pushed it ahead) holds the finger where it is.</item>
/// </list>
/// The stops' reaction is the screw's, not the motor's, and is not reported as effort.
/// </remarks>
internal sealed class FingerStops
{
    /// <summary>How far ahead of the nut the stop of a standing nut sits, m: a finger resting at the
    /// nut does not touch it.</summary>
    public const double NutClearance = 1e-5;

    /// <summary>How far a load (or the contact's spring-back) may push a finger back, m.</summary>
    public const double Backlash = 1e-3;

    private readonly double _lower;
    private readonly double _upper;
    private readonly Stop _left = new();
    private readonly Stop _right = new();
    private double _nutAtRest;

    /// <param name="lower">The finger joint's own lower limit, m (closed).</param>
    /// <param name="upper">The finger joint's own upper limit, m (open).</param>
    public FingerStops(double lower, double upper)
    {
        _lower = lower;
        _upper = upper;
    }

    /// <summary>The nut's last direction of travel (−1 closing, +1 opening, 0 none since the reset).</summary>
    public double Direction { get; private set; }

    /// <summary>No travel yet (after a reset, a restore or a teleport): each finger may move
    /// <see cref="Backlash"/> beyond the span between where it is now and the nut.</summary>
    public void Reset(double nut, double left, double right)
    {
        Direction = 0;
        _nutAtRest = nut;
        _left.Rest = left;
        _right.Rest = right;
    }

    /// <summary>The limits for both fingers this step.</summary>
    /// <param name="nut">The shared finger reference (the nut), m.</param>
    /// <param name="nutVelocity">The nut's velocity over the last update, m/s.</param>
    /// <param name="left">Measured left finger position, m.</param>
    /// <param name="right">Measured right finger position, m.</param>
    public ((double Lower, double Upper) Left, (double Lower, double Upper) Right) Update(double nut, double nutVelocity, double left, double right)
    {
        double direction = Math.Sign(nutVelocity);
        if (direction != 0 && direction != Direction)
        {
            // A new travel: the ratchet starts behind each finger, or the solver would yank it.
            Direction = direction;
            _left.Start(direction * left);
            _right.Start(direction * right);
        }
        if (Direction == 0)
        {
            return (AtRest(_left.Rest), AtRest(_right.Rest));
        }
        bool still = nutVelocity == 0;
        return (Travel(nut, left, _left, still), Travel(nut, right, _right, still));
    }

    private (double, double) AtRest(double finger) =>
        Clamp(Math.Min(_nutAtRest, finger) - Backlash, Math.Max(_nutAtRest, finger) + Backlash);

    /// <summary>In travel coordinates s = direction·q: the ratchet behind, the stop of a standing nut
    /// ahead.</summary>
    private (double, double) Travel(double nut, double finger, Stop stop, bool still)
    {
        double s = Direction * finger;
        double back = stop.Follow(s);
        double front = stop.Front(s, Direction * nut, still);
        return Direction > 0 ? Clamp(back, front) : Clamp(-front, -back);
    }

    private (double, double) Clamp(double lower, double upper) =>
        (Math.Clamp(lower, _lower, _upper), Math.Clamp(upper, _lower, _upper));

    /// <summary>One finger's stops, in travel coordinates.</summary>
    private sealed class Stop
    {
        private double _back;
        private double _front = double.PositiveInfinity;

        /// <summary>Where the finger was at the last reset, m.</summary>
        public double Rest { get; set; }

        public void Start(double s)
        {
            _back = s - Backlash;
            _front = double.PositiveInfinity;
        }

        /// <summary>The ratchet follows the finger forward, never back.</summary>
        public double Follow(double s)
        {
            _back = Math.Max(_back, s - Backlash);
            return _back;
        }

        /// <summary>None while the nut turns; set once where the nut (or a finger pushed ahead of it)
        /// is when it stops, and kept while it stands.</summary>
        public double Front(double s, double nut, bool still)
        {
            if (!still)
            {
                _front = double.PositiveInfinity;
            }
            else if (double.IsPositiveInfinity(_front))
            {
                _front = Math.Max(nut, s) + NutClearance;
            }
            return _front;
        }
    }
}
