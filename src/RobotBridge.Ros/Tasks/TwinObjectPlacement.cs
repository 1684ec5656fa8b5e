using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Tasks;

/// <summary>
/// Object placement on a twin served by <c>robotbridge serve</c> (env option <c>object_placement=twin</c>):
/// asks the twin on <see cref="FetchTopics.PlaceObject"/> to put the object where the episode wants it,
/// instead of asking a person, and returns once the tracker sees it there. A real Fetch has no such topic,
/// so there the wait times out saying so.
/// </summary>
public sealed class TwinObjectPlacement : IObjectPlacement, IDisposable
{
    /// <summary>How far (m, horizontally) the tracked object may be from the asked point: the twin puts it
    /// there exactly; this leaves room for a camera tracker's error.</summary>
    public const double Tolerance = 0.02;

    /// <summary>How long the twin and the tracker may take to show the object placed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Only poses stamped this long after the request count: the twin moves the object within a
    /// node cycle (10 ms) of receiving it, so an earlier pose near the point may be the object before it moved.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(100);

    private readonly RosbridgeClient _client;
    private readonly IObjectTracker _tracker;
    private readonly IRobotClock _clock;
    private readonly RosPublisher<PointStamped> _publisher;
    private readonly PointStamped _message = new();
    private string? _refusal;

    /// <param name="client">The robot's rosbridge connection.</param>
    /// <param name="tracker">Where the object is seen (the served ground truth or the camera).</param>
    /// <param name="clock">The clock the tracker's states are stamped on.</param>
    public TwinObjectPlacement(RosbridgeClient client, IObjectTracker tracker, IRobotClock clock)
    {
        _client = client;
        _tracker = tracker;
        _clock = clock;
        _message.Header.FrameId = FetchTopics.ObjectFrame;
        _client.StatusReceived += OnStatus;
        _publisher = client.Advertise<PointStamped>(FetchTopics.PlaceObject);
    }

    public void Place(Vec3 at, string what, CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _refusal, null);
        _message.Header.Seq++;
        _message.Header.Stamp = Serialization.RosTime.FromTimeSpan(_clock.Now);
        _message.Point.X = at.X;
        _message.Point.Y = at.Y;
        _message.Point.Z = at.Z;
        TimeSpan sent = _clock.Now;
        if (!_publisher.Publish(_message))
        {
            throw new TaskResetException($"cannot ask the served twin to place the {what}: the rosbridge link is down");
        }
        TimeSpan deadline = sent + Timeout;
        ObjectState seen = default;
        bool any = false;
        while (true)
        {
            if (_tracker.TryGetObjectState(out ObjectState state) && state.Stamp >= sent + Margin)
            {
                (seen, any) = (state, true);
                if (Math.Sqrt(Square(state.Position.X - at.X) + Square(state.Position.Y - at.Y)) <= Tolerance)
                {
                    return;
                }
            }
            if (Volatile.Read(ref _refusal) is { } refusal)
            {
                throw new TaskResetException($"the served twin refused to place the {what}: {refusal}");
            }
            if (_clock.Now > deadline)
            {
                throw new TaskResetException(
                    $"the {what} was not seen at x={at.X:F3} m, y={at.Y:F3} m within {Timeout.TotalSeconds:F0} s of asking the twin to put it there " +
                    $"({(any ? $"last seen at x={seen.Position.X:F3}, y={seen.Position.Y:F3}" : "not seen since")}): object_placement=twin needs robotbridge serve " +
                    $"(a real Fetch has no {FetchTopics.PlaceObject}) and, with --auth, the operator or supervisor role");
            }
            _clock.WaitUntil(_clock.Now + TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    public void Dispose()
    {
        _client.StatusReceived -= OnStatus;
        _publisher.Dispose();
    }

    private static double Square(double x) => x * x;

    /// <summary>The server says why it refused (an unauthorised role, a point off the table).</summary>
    private void OnStatus(object? sender, RosbridgeStatusEventArgs e)
    {
        if (e.Message.Contains(FetchTopics.PlaceObject, StringComparison.Ordinal))
        {
            Volatile.Write(ref _refusal, e.Message);
        }
    }
}
