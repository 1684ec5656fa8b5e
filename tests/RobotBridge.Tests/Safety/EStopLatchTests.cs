using RobotBridge.Safety;

namespace RobotBridge.Tests.Safety;

public class EStopLatchTests
{
    private static readonly EStopSource Button = EStopSource.Button("gpio:17");
    private static readonly EStopSource Teleop = EStopSource.Teleop("operator-1");

    private static EStopLatch NewLatch(bool startLatched = false) =>
        new(new EStopLatchOptions { AuthorisedOperators = ["alice"], StartLatched = startLatched });

    [Fact]
    public void A_trip_latches_and_raises_the_tripped_event_synchronously_with_cause_and_source()
    {
        var latch = NewLatch();
        SafetyEvent? seen = null;
        latch.Tripped += e => seen = e;

        latch.Trip(Button, "button pressed");

        Assert.NotNull(seen);
        Assert.Equal(Button, seen.Source);
        Assert.Equal("button pressed", seen.Cause);
        Assert.Equal(EStopState.Tripped, latch.Snapshot.State);
        Assert.True(latch.IsStopped);
        Assert.Equal(1, latch.Snapshot.TripCount);
    }

    [Fact]
    public void Reset_is_refused_while_any_source_is_active_and_accepted_once_all_cleared()
    {
        var latch = NewLatch();
        latch.Trip(Button, "pressed");
        latch.Trip(Teleop, "operator stop");

        latch.Clear(Button);
        Assert.Equal(EStopState.Tripped, latch.Snapshot.State);
        Assert.Equal(EStopResetResult.SourcesActive, latch.TryReset("alice"));

        latch.Clear(Teleop);
        Assert.Equal(EStopState.AwaitingReset, latch.Snapshot.State);
        Assert.True(latch.IsStopped);
        Assert.Equal(EStopResetResult.Accepted, latch.TryReset("alice"));
        Assert.Equal(EStopState.Running, latch.Snapshot.State);
        Assert.False(latch.IsStopped);
    }

    [Fact]
    public void Reset_by_an_unauthorised_operator_is_refused_and_logged()
    {
        var latch = NewLatch();
        latch.TripMomentary(EStopSource.Supervisor("limits"), "joint over limit");

        Assert.Equal(EStopResetResult.NotAuthorised, latch.TryReset("mallory"));
        Assert.True(latch.IsStopped);
        var refused = Assert.Single(latch.Log.Snapshot(), e => e.Kind == SafetyEventKind.ResetRefused);
        Assert.Contains("mallory", refused.Cause);
    }

    [Fact]
    public void A_momentary_trip_needs_only_a_reset()
    {
        var latch = NewLatch();
        latch.TripMomentary(EStopSource.Supervisor("command"), "NaN in command");
        Assert.Equal(EStopState.AwaitingReset, latch.Snapshot.State);
        Assert.Empty(latch.Snapshot.ActiveSources);
        Assert.Equal(EStopResetResult.Accepted, latch.TryReset("alice"));
    }

    [Fact]
    public void A_trip_while_awaiting_reset_goes_back_to_tripped()
    {
        var latch = NewLatch();
        latch.Trip(Button, "pressed");
        latch.Clear(Button);
        latch.Trip(Teleop, "again");
        Assert.Equal(EStopState.Tripped, latch.Snapshot.State);
        Assert.Equal(EStopResetResult.SourcesActive, latch.TryReset("alice"));
    }

    [Fact]
    public void Reset_when_running_reports_not_tripped()
    {
        Assert.Equal(EStopResetResult.NotTripped, NewLatch().TryReset("alice"));
    }

    [Fact]
    public void Start_latched_holds_the_stop_until_the_first_reset()
    {
        var latch = NewLatch(startLatched: true);
        Assert.Equal(EStopState.AwaitingReset, latch.Snapshot.State);
        Assert.Equal(EStopResetResult.Accepted, latch.TryReset("alice"));
    }

    [Fact]
    public void No_authorised_operators_means_nobody_can_reset()
    {
        var latch = new EStopLatch();
        latch.TripMomentary(EStopSource.Software("test"), "stop");
        Assert.Equal(EStopResetResult.NotAuthorised, latch.TryReset(""));
        Assert.True(latch.IsStopped);
    }

    [Fact]
    public void A_throwing_handler_is_logged_as_a_fault_and_later_handlers_still_run()
    {
        var latch = NewLatch();
        bool secondRan = false;
        latch.Tripped += _ => throw new InvalidOperationException("boom");
        latch.Tripped += _ => secondRan = true;

        latch.Trip(Button, "pressed");

        Assert.True(secondRan);
        Assert.Contains(latch.Log.Snapshot(), e => e.Kind == SafetyEventKind.Fault && e.Cause.Contains("boom"));
        Assert.True(latch.IsStopped);
    }

    [Fact]
    public void A_repeated_trip_by_an_active_source_keeps_the_first_cause()
    {
        var latch = NewLatch();
        int trips = 0;
        latch.Tripped += _ => trips++;
        latch.Trip(Button, "first");
        latch.Trip(Button, "second");
        Assert.Equal(1, trips);
        Assert.Equal("first", Assert.Single(latch.Snapshot.ActiveSources).Cause);
    }

    [Fact]
    public void Events_carry_robot_time_and_increasing_sequence_numbers()
    {
        var robotTime = TimeSpan.FromSeconds(12.5);
        var latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = ["alice"], RobotTime = () => robotTime });
        latch.Trip(Button, "pressed");
        robotTime = TimeSpan.FromSeconds(13);
        latch.Clear(Button);
        latch.TryReset("alice");

        var events = latch.Log.Snapshot();
        Assert.Equal([SafetyEventKind.Trip, SafetyEventKind.Clear, SafetyEventKind.Reset], events.Select(e => e.Kind));
        Assert.Equal(TimeSpan.FromSeconds(12.5), events[0].RobotTime);
        Assert.Equal(TimeSpan.FromSeconds(13), events[2].RobotTime);
        Assert.True(events[0].Sequence < events[1].Sequence && events[1].Sequence < events[2].Sequence);
    }

    [Fact]
    public async Task Concurrent_trips_clears_and_resets_never_leave_the_latch_running_with_an_active_source()
    {
        var latch = NewLatch();
        var sources = Enumerable.Range(0, 4).Select(i => EStopSource.Button($"b{i}")).ToArray();
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var violations = 0;
        var workers = sources.Select(s => Task.Run(() =>
        {
            var random = new Random(s.Name.GetHashCode());
            while (!stop.IsCancellationRequested)
            {
                switch (random.Next(3))
                {
                    case 0: latch.Trip(s, "pressed"); break;
                    case 1: latch.Clear(s); break;
                    default: latch.TryReset("alice"); break;
                }
                var snap = latch.Snapshot;
                if (snap.State == EStopState.Running && snap.ActiveSources.Count > 0)
                {
                    Interlocked.Increment(ref violations);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(0, violations);
        foreach (var s in sources)
        {
            latch.Clear(s);
        }
        var expected = latch.IsStopped ? EStopResetResult.Accepted : EStopResetResult.NotTripped;
        Assert.Equal(expected, latch.TryReset("alice"));
        Assert.False(latch.IsStopped);
    }

    [Fact]
    public void Snapshot_dictionary_names_cause_and_source_for_gym_info()
    {
        var latch = NewLatch();
        latch.Trip(Button, "pressed");
        var info = latch.Snapshot.ToDictionary();
        Assert.Equal("Tripped", info["state"]);
        Assert.Equal(true, info["stopped"]);
        Assert.Equal("pressed", info["cause"]);
        Assert.Equal("Button:gpio:17", info["source"]);
    }
}
