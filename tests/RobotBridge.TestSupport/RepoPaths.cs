namespace RobotBridge.TestSupport;

/// <summary>Locates files of the repository checkout the tests were built from.</summary>
public static class RepoPaths
{
    /// <summary>The checkout's root: the first folder above the test assembly that holds RobotBridge.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RobotBridge.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no RobotBridge.sln above {AppContext.BaseDirectory}");
    }
}
