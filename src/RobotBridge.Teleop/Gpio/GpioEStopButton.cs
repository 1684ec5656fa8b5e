using System.Device.Gpio;
using Iot.Device.Button;
using RobotBridge.Safety;

namespace RobotBridge.Teleop.Gpio;

/// <summary>
/// A physical e-stop button on a GPIO line, tripping the latched e-stop.
/// </summary>
/// <remarks>
/// <para>Wiring is normally-closed, fail-safe: the button's NC contact connects the pin to ground and
/// a pull-up lifts it otherwise. Idle (contact closed) reads Low; pressed (contact open) reads High;
/// a cut wire, a pulled connector or a broken contact also read High, so every wiring fault trips the
/// robot exactly like a press.</para>
/// <para>Edges come through Iot.Device.Bindings' <see cref="GpioButton"/> (a High-going edge is a
/// press) and trip at once. Because <see cref="GpioButton"/>'s debounce ignores a press that follows
/// a release within the debounce time, and edge interrupts can be missed, the pin level is also read
/// every <see cref="GpioEStopOptions.PollPeriod"/>: High trips, and only a level that stayed Low for
/// the whole debounce time clears the source. A failing read trips too. Clearing never releases the
/// latch; an authorised reset does.</para>
/// </remarks>
public sealed class GpioEStopButton : IDisposable
{
    private readonly EStopLatch _latch;
    private readonly GpioController _controller;
    private readonly GpioEStopOptions _options;
    private readonly GpioButton _button;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly ITimer _poll;
    private long _lowSince = -1;
    private bool _tripped;
    private bool _disposed;

    /// <param name="controller">Controller that owns the pin; not disposed by this button (it may be shared).</param>
    public GpioEStopButton(EStopLatch latch, GpioController controller, GpioEStopOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(latch);
        ArgumentNullException.ThrowIfNull(controller);
        _latch = latch;
        _controller = controller;
        _options = options ?? new GpioEStopOptions();
        _time = _options.Time;
        if (_options.Debounce < TimeSpan.Zero || _options.PollPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Debounce must be ≥ 0 and PollPeriod > 0");
        }
        Source = EStopSource.Button($"gpio:{_options.Pin}");

        // isPullUp: false tells GpioButton that High means pressed; hasExternalResistor: true keeps it
        // from forcing a pull-down, so the pin stays an input and the pull-up below decides the idle level.
        _button = new GpioButton(_options.Pin, TimeSpan.FromTicks(Math.Max(_options.Debounce.Ticks * 3, TimeSpan.FromSeconds(1).Ticks)),
            TimeSpan.FromSeconds(2), isPullUp: false, hasExternalResistor: true, _controller, shouldDispose: false, _options.Debounce);
        try
        {
            if (_options.InternalPullUp)
            {
                if (!_controller.IsPinModeSupported(_options.Pin, PinMode.InputPullUp))
                {
                    throw new ArgumentException(
                        $"GPIO {_options.Pin} has no internal pull-up; fit a 10 kΩ resistor to 3.3 V and set InternalPullUp = false");
                }
                _controller.SetPinMode(_options.Pin, PinMode.InputPullUp);
            }
            _button.ButtonDown += OnPressedEdge;
            // The button may already be pressed, or the wire already cut, when we start.
            Poll();
            _poll = _time.CreateTimer(_ => Poll(), null, _options.PollPeriod, _options.PollPeriod);
        }
        catch
        {
            _button.Dispose();
            throw;
        }
    }

    public EStopSource Source { get; }

    /// <summary>True while this button asserts a stop (pressed, wire cut, or read failure).</summary>
    public bool IsAsserting
    {
        get { lock (_gate) { return _tripped; } }
    }

    private void OnPressedEdge(object? sender, EventArgs e) => Trip("e-stop button pressed (or its wire cut)");

    private void Poll()
    {
        PinValue level;
        try
        {
            level = _controller.Read(_options.Pin);
        }
        catch (Exception ex)
        {
            Trip($"cannot read e-stop GPIO {_options.Pin}: {ex.Message}");
            return;
        }
        if (level == PinValue.High)
        {
            Trip("e-stop button pressed or wire cut (GPIO level High)");
            return;
        }
        lock (_gate)
        {
            if (_disposed || !_tripped)
            {
                return;
            }
            long now = _time.GetTimestamp();
            if (_lowSince < 0)
            {
                _lowSince = now;
            }
            if (_time.GetElapsedTime(_lowSince, now) >= _options.Debounce)
            {
                _tripped = false;
                _lowSince = -1;
                _latch.Clear(Source, "e-stop button released (circuit closed)");
            }
        }
    }

    private void Trip(string cause)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _lowSince = -1;
            _tripped = true;
            _latch.Trip(Source, cause);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _poll.Dispose();
        _button.ButtonDown -= OnPressedEdge;
        _button.Dispose();
    }
}
