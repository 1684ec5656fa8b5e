namespace RobotBridge.Teleop.Operator;

/// <summary>
/// Infers which keys are held from a terminal's press events. A terminal sends one press, waits its
/// auto-repeat delay (typically 250–660 ms), then repeats at 25–33 Hz, and never reports a release.
/// So a key counts as held for <c>firstWindow</c> after its first press (bridging the repeat delay)
/// and for <c>repeatWindow</c> after each later press: once repeating, a release is noticed within
/// about 150 ms.
/// </summary>
internal sealed class HeldKeys(TimeSpan firstWindow, TimeSpan repeatWindow)
{
    private readonly Dictionary<ConsoleKey, (long LastMs, int Presses)> _keys = [];

    /// <summary>Records a press; returns true when it starts a new hold (not an auto-repeat).</summary>
    public bool Press(ConsoleKey key, long nowMs)
    {
        bool fresh = !IsHeld(key, nowMs);
        _keys[key] = (nowMs, fresh ? 1 : _keys[key].Presses + 1);
        return fresh;
    }

    public bool IsHeld(ConsoleKey key, long nowMs)
    {
        if (!_keys.TryGetValue(key, out var k))
        {
            return false;
        }
        var window = k.Presses > 1 ? repeatWindow : firstWindow;
        return nowMs - k.LastMs <= (long)window.TotalMilliseconds;
    }

    public bool AnyHeld(ReadOnlySpan<ConsoleKey> keys, long nowMs)
    {
        foreach (var key in keys)
        {
            if (IsHeld(key, nowMs))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>+1 when <paramref name="plus"/> is held, −1 for <paramref name="minus"/>, 0 for neither or both.</summary>
    public int Axis(ConsoleKey plus, ConsoleKey minus, long nowMs) =>
        (IsHeld(plus, nowMs) ? 1 : 0) - (IsHeld(minus, nowMs) ? 1 : 0);
}
