namespace RobotBridge.Vision;

/// <summary>The AprilTag families the detector can look for (the classic ones Debian's library builds in;
/// tag36h11 is the one to print: 587 ids, the most robust against false detections).</summary>
public enum TagFamily
{
    Tag36h11,
    Tag25h9,
    Tag16h5,
}

/// <summary>Parses and names tag families the way the library and its command-line tool spell them.</summary>
public static class TagFamilies
{
    public static string Name(TagFamily family) => family switch
    {
        TagFamily.Tag36h11 => "tag36h11",
        TagFamily.Tag25h9 => "tag25h9",
        TagFamily.Tag16h5 => "tag16h5",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "unknown tag family"),
    };

    public static bool TryParse(string text, out TagFamily family)
    {
        foreach (TagFamily f in Enum.GetValues<TagFamily>())
        {
            if (string.Equals(Name(f), text, StringComparison.OrdinalIgnoreCase))
            {
                family = f;
                return true;
            }
        }
        family = default;
        return false;
    }
}
