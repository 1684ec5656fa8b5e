namespace RobotBridge.Teleop.Gpio;

/// <summary>Settings of a <see cref="GpioEStopButton"/>. Defaults match the Raspberry Pi wiring in the README.</summary>
public sealed record GpioEStopOptions
{
    /// <summary>GPIO line (BCM number on a Raspberry Pi; GPIO17 is physical pin 11).</summary>
    public int Pin { get; init; } = 17;

    /// <summary>Contact bounce is ignored for this long; a release only counts once the contact has
    /// stayed closed this long.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often the pin level is read in addition to the edge events, so a missed or
    /// debounced-away edge still trips within one period.</summary>
    public TimeSpan PollPeriod { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Turn on the SoC's internal pull-up (about 50 kΩ on a Pi). Keep it on even with an
    /// external resistor: two pull-ups in parallel are harmless, none would let a cut wire float.</summary>
    public bool InternalPullUp { get; init; } = true;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
