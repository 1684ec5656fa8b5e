using System.Device.Gpio;
using RobotBridge.Safety;
using RobotBridge.Teleop.Gpio;
using RobotBridge.Teleop.Tests.Teleop;

namespace RobotBridge.Teleop.Tests.Gpio;

public sealed class GpioEStopButtonTests
{
    private const int Pin = 17;

    private static GpioEStopOptions Options(TimeSpan? poll = null) => new()
    {
        Pin = Pin,
        Debounce = TimeSpan.FromMilliseconds(20),
        PollPeriod = poll ?? TimeSpan.FromMilliseconds(5),
    };

    [Fact]
    public async Task A_cut_wire_trips_the_estop()
    {
        var driver = new SimulatedGpioDriver();
        using var controller = new GpioController(driver);
        var latch = new EStopLatch();
        using var button = new GpioEStopButton(latch, controller, Options());
        Assert.Equal(PinMode.InputPullUp, driver.ModeOf(Pin));
        await Task.Delay(30);
        Assert.False(latch.IsStopped, "an intact, unpressed circuit must not trip");

        driver.SetContactClosed(Pin, false); // the wire is cut: the circuit opens

        await Eventually.True(() => latch.Snapshot.ActiveSources.Any(a => a.Source == button.Source), "the cut wire trips the latch");
        Assert.Equal(EStopState.Tripped, latch.Snapshot.State);
    }

    [Fact]
    public void A_press_trips_through_the_edge_at_once()
    {
        var driver = new SimulatedGpioDriver();
        using var controller = new GpioController(driver);
        var latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = ["alice"] });
        // A poll period of an hour leaves the GpioButton edge as the only way the press can arrive.
        using var button = new GpioEStopButton(latch, controller, Options(poll: TimeSpan.FromHours(1)));

        driver.SetContactClosed(Pin, false);
        Assert.True(latch.IsStopped, "the edge trips synchronously");
        Assert.Contains(latch.Snapshot.ActiveSources, a => a.Source.Kind == EStopSourceKind.Button);
        Assert.Equal(EStopResetResult.SourcesActive, latch.TryReset("alice"));
    }

    [Fact]
    public async Task Release_clears_the_source_only_after_a_stable_closed_contact()
    {
        var driver = new SimulatedGpioDriver();
        using var controller = new GpioController(driver);
        var latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = ["alice"] });
        using var button = new GpioEStopButton(latch, controller, Options());

        driver.SetContactClosed(Pin, false);
        Assert.True(latch.IsStopped);
        driver.SetContactClosed(Pin, true);
        await Eventually.True(() => latch.Snapshot.State == EStopState.AwaitingReset, "a stable release clears the source");
        Assert.True(latch.IsStopped, "releasing the button never releases the latch");
        Assert.Equal(EStopResetResult.Accepted, latch.TryReset("alice"));
    }

    [Fact]
    public async Task A_bouncing_contact_keeps_the_stop_while_pressed()
    {
        var driver = new SimulatedGpioDriver();
        using var controller = new GpioController(driver);
        var latch = new EStopLatch();
        using var button = new GpioEStopButton(latch, controller, Options());

        driver.SetContactClosed(Pin, false); // press
        driver.SetContactClosed(Pin, true);  // bounce closed ...
        driver.SetContactClosed(Pin, false); // ... and open again at once: GpioButton ignores this press
        await Task.Delay(100);

        Assert.True(button.IsAsserting, "the button is still pressed");
        Assert.Equal(EStopState.Tripped, latch.Snapshot.State);
    }

    [Fact]
    public async Task A_missed_edge_is_caught_by_the_level_poll()
    {
        var driver = new SimulatedGpioDriver();
        using var controller = new GpioController(driver);
        var latch = new EStopLatch();
        using var button = new GpioEStopButton(latch, controller, Options());

        driver.SetContactClosed(Pin, false, raiseEdges: false);

        await Eventually.True(() => latch.IsStopped, "the poll sees the High level");
        Assert.Contains("level High", latch.Snapshot.LastTrip!.Cause);
    }

    [Fact]
    public void Pressed_or_cut_at_startup_trips_at_once()
    {
        var driver = new SimulatedGpioDriver();
        using var controller = new GpioController(driver);
        controller.OpenPin(Pin, PinMode.InputPullUp);
        driver.SetContactClosed(Pin, false);
        controller.ClosePin(Pin);
        var latch = new EStopLatch();

        using var button = new GpioEStopButton(latch, controller, Options(poll: TimeSpan.FromHours(1)));

        Assert.Equal(EStopState.Tripped, latch.Snapshot.State);
    }

    [Fact]
    public async Task A_failing_read_trips()
    {
        var driver = new SimulatedGpioDriver();
        using var controller = new GpioController(driver);
        var latch = new EStopLatch();
        using var button = new GpioEStopButton(latch, controller, Options());
        await Task.Delay(20);
        Assert.False(latch.IsStopped);

        driver.Broken.Add(Pin);

        await Eventually.True(() => latch.IsStopped, "a GPIO read failure trips");
        Assert.Contains("cannot read", latch.Snapshot.LastTrip!.Cause);
    }

    [Fact]
    public void A_pin_without_internal_pull_up_is_refused_with_the_fix()
    {
        var driver = new SimulatedGpioDriver();
        driver.WithoutPullUp.Add(Pin);
        using var controller = new GpioController(driver);

        var error = Assert.Throws<ArgumentException>(() => new GpioEStopButton(new EStopLatch(), controller, Options()));
        Assert.Contains("10 kΩ", error.Message);
        Assert.False(controller.IsPinOpen(Pin), "the pin is released when construction fails");
    }
}
