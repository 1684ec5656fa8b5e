namespace RobotBridge.Model;

/// <summary>
/// Finds and loads the project's Fetch model, urdf/fetch.urdf. The core project copies urdf/ next to
/// its assembly, so every consumer (CLI, tests, twin) finds it there; running from a source tree, the
/// repository's urdf/ is found by walking up from the assembly and the working directory.
/// </summary>
public static class FetchModel
{
    public const string FileName = "fetch.urdf";

    /// <summary>The full path of urdf/fetch.urdf; throws FileNotFoundException listing where it looked.</summary>
    public static string Locate() => LocateFile(FileName);

    /// <summary>The full path of a file in urdf/ (e.g. a scene file), searched like <see cref="Locate"/>.</summary>
    public static string LocateFile(string fileName)
    {
        var tried = new List<string>();
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (DirectoryInfo? dir = new(start); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "urdf", fileName);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
                tried.Add(candidate);
            }
        }
        throw new FileNotFoundException($"urdf/{fileName} not found; looked in: {string.Join(", ", tried.Distinct())}", fileName);
    }

    /// <summary>Loads urdf/fetch.urdf (see <see cref="Locate"/>).</summary>
    public static RobotModel Load() => UrdfLoader.Load(Locate());
}
