namespace RobotBridge.Model;

/// <summary>
/// A URDF file that cannot become a <see cref="RobotModel"/>: unreadable XML, a missing or malformed
/// value, or a kinematic tree that is not a tree. The message names the file, the line and the fault,
/// e.g. "fetch.urdf:42: joint 'elbow_flex_joint': limit lower 2.3 is greater than upper 2.2".
/// This is the only exception <see cref="UrdfLoader"/> throws for bad input.
/// </summary>
public sealed class UrdfFormatException : Exception
{
    public UrdfFormatException(string filePath, int line, string problem, Exception? inner = null)
        : base(line > 0 ? $"{filePath}:{line}: {problem}" : $"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file path (or the name given for in-memory text).</summary>
    public string FilePath { get; }

    /// <summary>1-based line of the offending element or attribute; 0 when the fault has no single place.</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the location prefix.</summary>
    public string Problem { get; }
}
