namespace RobotBridge.Vision.Tests.Detector;

/// <summary>Locates files of the repository checkout the tests were built from.</summary>
internal static class RepoPaths
{
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
        throw new InvalidOperationException($"no RobotBridge.sln above {AppContext.BaseDirectory}");
    }
}
