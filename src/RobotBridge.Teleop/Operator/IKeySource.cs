namespace RobotBridge.Teleop.Operator;

/// <summary>Where the operator console reads keys from: the terminal, or a script in tests.</summary>
public interface IKeySource
{
    /// <summary>Returns the next pending key press without blocking, or false when none is waiting.</summary>
    bool TryReadKey(out ConsoleKeyInfo key);
}

/// <summary>The process's terminal. A terminal reports key presses (and auto-repeats a held key), never releases.</summary>
public sealed class TerminalKeySource : IKeySource
{
    public bool TryReadKey(out ConsoleKeyInfo key)
    {
        if (Console.KeyAvailable)
        {
            key = Console.ReadKey(intercept: true);
            return true;
        }
        key = default;
        return false;
    }
}
