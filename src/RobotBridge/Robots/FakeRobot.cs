namespace RobotBridge.Robots;

/// <summary>
/// A body without physics, in the spirit of ros2_control's mock hardware (mock_components/GenericSystem):
/// every command is mirrored into the state at once — a trajectory's last point becomes its joints'
/// positions, a gripper target the fingers' — and nothing else moves. For logic that needs a robot but no
/// dynamics: the control loop, the safety supervisor's rules, the teleop bridge, dry runs.
/// </summary>
/// <remarks>
/// <para>Keeps the <see cref="IRobot"/> contract (a shared test suite runs it against the twin and the
/// served twin too): bad commands throw <see cref="ArgumentException"/> before anything changes,
/// motion commands are ignored while the runstop is engaged, <see cref="Stop"/> zeroes the twists.</para>
/// <para>Time: a <see cref="VirtualClock"/> by default (lockstep: it moves when the loop waits on it), or
/// any clock given. The state is stamped with the clock's time when read, unless
/// <see cref="FreezeState"/> holds it (a driver that stopped publishing). Thread-safe.</para>
/// </remarks>
public sealed class FakeRobot : IRobot
{
    private readonly object _gate = new();
    private readonly RobotState _state = new();
    private readonly int _lFinger = FetchJoints.IndexOf(FetchJoints.LGripperFinger);
    private readonly int _rFinger = FetchJoints.IndexOf(FetchJoints.RGripperFinger);
    private readonly List<string> _log = [];
    private Twist _cartesianTwist, _baseTwist;
    private bool _frozen;
    private string? _lastStopReason;
    private int _stops;

    /// <param name="clock">The body's clock; default a <see cref="VirtualClock"/>.</param>
    /// <param name="positions">Initial joint positions (<see cref="FetchJoints.All"/> order); default all zero.</param>
    public FakeRobot(IRobotClock? clock = null, IReadOnlyList<double>? positions = null)
    {
        Clock = clock ?? new VirtualClock();
        if (positions is not null)
        {
            if (positions.Count != FetchJoints.Count)
            {
                throw new ArgumentException($"FakeRobot needs {FetchJoints.Count} initial positions, got {positions.Count}", nameof(positions));
            }
            for (int i = 0; i < positions.Count; i++)
            {
                _state.Position[i] = positions[i];
            }
        }
        _state.IsValid = true;
    }

    public IRobotClock Clock { get; }

    /// <summary>The link as the body reports it; set it to play a lost link.</summary>
    public LinkStatus Link { get; set; } = LinkStatus.Connected;

    /// <summary>While true the state is no longer refreshed: reads return the last one, stamp and all.</summary>
    public bool FreezeState
    {
        get
        {
            lock (_gate)
            {
                return _frozen;
            }
        }
        set
        {
            lock (_gate)
            {
                _frozen = value;
            }
        }
    }

    /// <summary>Stops received.</summary>
    public int Stops
    {
        get
        {
            lock (_gate)
            {
                return _stops;
            }
        }
    }

    public string? LastStopReason
    {
        get
        {
            lock (_gate)
            {
                return _lastStopReason;
            }
        }
    }

    /// <summary>The twist of the end effector last commanded (zero after a stop).</summary>
    public Twist CartesianTwist
    {
        get
        {
            lock (_gate)
            {
                return _cartesianTwist;
            }
        }
    }

    /// <summary>The base twist last commanded (zero after a stop).</summary>
    public Twist BaseTwist
    {
        get
        {
            lock (_gate)
            {
                return _baseTwist;
            }
        }
    }

    /// <summary>Every command carried out and every stop, in order ("trajectory Arm", "gripper 0.05",
    /// "cartesian twist", "base twist", "stop: reason").</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    public void ReadState(RobotState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            if (!_frozen)
            {
                _state.Stamp = _state.ReceivedAt = Clock.Now;
            }
            _state.CopyTo(state);
        }
    }

    public CameraFrame? TryGetCameraFrame() => null;

    public void SendTrajectory(JointTrajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        trajectory.Validate();
        var joints = FetchJoints.Of(trajectory.Group);
        double[] last = trajectory.Points[^1].Positions;
        lock (_gate)
        {
            if (_state.Runstopped)
            {
                return;
            }
            for (int j = 0; j < joints.Count; j++)
            {
                int k = FetchJoints.IndexOf(joints[j]);
                _state.Position[k] = last[j];
                _state.Velocity[k] = 0;
            }
            _log.Add($"trajectory {trajectory.Group}");
        }
    }

    public void SendCartesianTwist(in Twist twist)
    {
        if (!twist.IsFinite)
        {
            throw new ArgumentException($"cartesian twist {twist} is not finite");
        }
        lock (_gate)
        {
            if (_state.Runstopped)
            {
                return;
            }
            _cartesianTwist = twist;
            _log.Add("cartesian twist");
        }
    }

    public void SendGripper(double separation, double maxEffort)
    {
        if (!double.IsFinite(separation) || !double.IsFinite(maxEffort))
        {
            throw new ArgumentException($"gripper command separation {separation}, effort {maxEffort} is not finite");
        }
        double clamped = Math.Clamp(separation, 0, 0.1);
        lock (_gate)
        {
            if (_state.Runstopped)
            {
                return;
            }
            _state.Position[_lFinger] = _state.Position[_rFinger] = clamped / 2;
            _state.Velocity[_lFinger] = _state.Velocity[_rFinger] = 0;
            _log.Add($"gripper {clamped:0.###}");
        }
    }

    public void SendBaseTwist(in Twist twist)
    {
        if (!twist.IsFinite)
        {
            throw new ArgumentException($"base twist {twist} is not finite");
        }
        lock (_gate)
        {
            if (_state.Runstopped)
            {
                return;
            }
            _baseTwist = twist;
            _log.Add("base twist");
        }
    }

    public void Stop(string reason)
    {
        lock (_gate)
        {
            _cartesianTwist = _baseTwist = Twist.Zero;
            Array.Clear(_state.Velocity);
            _stops++;
            _lastStopReason = reason;
            _log.Add($"stop: {reason}");
        }
    }

    public void SetRunstop(bool engaged)
    {
        lock (_gate)
        {
            _state.Runstopped = engaged;
        }
    }

    public void Dispose()
    {
    }
}
