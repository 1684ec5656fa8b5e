using System.Device.Gpio;

namespace RobotBridge.Teleop.Tests.Gpio;

/// <summary>
/// A GPIO driver for tests (no GPIO exists here) that simulates the electrical side of the e-stop
/// circuit: each pin has a contact to ground that is closed or open. A closed contact reads Low; an
/// open one reads High only if a pull-up is on (internal, via <see cref="PinMode.InputPullUp"/>, or an
/// external resistor), Low with a pull-down, and Low when floating (the dangerous case a missing
/// pull-up would create). Level changes raise the registered edge callbacks, as the kernel would.
/// </summary>
internal sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly object _gate = new();
    private readonly Dictionary<int, Pin> _pins = [];
    /// <summary>The wiring outlives opening and closing the pin.</summary>
    private readonly Dictionary<int, bool> _contactClosed = [];

    /// <summary>Pins on which the SoC offers no internal pull-up.</summary>
    public HashSet<int> WithoutPullUp { get; } = [];

    /// <summary>Pins that throw on read (a failed driver).</summary>
    public HashSet<int> Broken { get; } = [];

    protected override int PinCount => 28;

    public PinMode ModeOf(int pin)
    {
        lock (_gate) { return _pins[pin].Mode; }
    }

    /// <summary>Closes (idle, NC button at rest) or opens (pressed, or wire cut) the contact to ground.
    /// <paramref name="raiseEdges"/> false models an interrupt the kernel missed.</summary>
    public void SetContactClosed(int pin, bool closed, bool raiseEdges = true)
    {
        List<(PinEventTypes, PinChangeEventHandler)> fire;
        PinValue before, after;
        lock (_gate)
        {
            var p = Get(pin);
            before = Level(pin, p);
            _contactClosed[pin] = closed;
            after = Level(pin, p);
            fire = p.Callbacks.ToList();
        }
        if (before == after || !raiseEdges)
        {
            return;
        }
        var edge = after == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
        foreach (var (types, callback) in fire)
        {
            if ((types & edge) != 0)
            {
                callback(this, new PinValueChangedEventArgs(edge, pin));
            }
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            Get(pinNumber);
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _pins.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            Get(pinNumber).Mode = mode;
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate) { return Get(pinNumber).Mode; }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode != PinMode.InputPullUp || !WithoutPullUp.Contains(pinNumber);

    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            if (Broken.Contains(pinNumber))
            {
                throw new IOException($"simulated read failure on GPIO {pinNumber}");
            }
            return Level(pinNumber, Get(pinNumber));
        }
    }

    protected override void Write(int pinNumber, PinValue value) =>
        throw new InvalidOperationException($"GPIO {pinNumber} is an input in this simulation");

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulated driver raises callbacks only");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Get(pinNumber).Callbacks.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Get(pinNumber).Callbacks.RemoveAll(c => c.Item2 == callback);
        }
    }

    private Pin Get(int pin)
    {
        if (!_pins.TryGetValue(pin, out var p))
        {
            p = new Pin();
            _pins[pin] = p;
        }
        return p;
    }

    private PinValue Level(int pin, Pin p) =>
        _contactClosed.GetValueOrDefault(pin, true) ? PinValue.Low : p.Mode == PinMode.InputPullUp ? PinValue.High : PinValue.Low;

    private sealed class Pin
    {
        public PinMode Mode { get; set; } = PinMode.Input;
        public List<(PinEventTypes, PinChangeEventHandler)> Callbacks { get; } = [];
    }
}
