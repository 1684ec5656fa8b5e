using System.Xml.Linq;
using RobotBridge.Vision;

namespace RobotBridge.Sim.Scene;

/// <summary>
/// Puts an AprilTag (tag36h11, drawn by the library itself through <see cref="TagImage"/>) on the top
/// face of the twin's cube and puck, the tags a real Fetch's camera tracker looks for
/// (RobotBridge.Vision's fetch-tags.json: cube id 0, puck id 1). Only materials change: each object's
/// geom gets a cube-map texture whose +z face is the tag and whose other faces are the object's plain
/// colour, so masses, contacts and the physics stay bit for bit what they were. The face images are
/// MuJoCo's custom texture format (int32 width, int32 height, RGB bytes) in a per-user cache
/// directory, written once, atomically, with content-derived names.
/// </summary>
public static class SceneTags
{
    /// <summary>Tag id on the cube's top face.</summary>
    public const int CubeTagId = 0;

    /// <summary>Tag id on the puck's top face.</summary>
    public const int PuckTagId = 1;

    /// <summary>Screen pixels per tag cell in the texture: 16 keeps the cell edges sharp at the head
    /// camera's distances (a 5 cm face spans ~40 px at 0.7 m).</summary>
    private const int PixelsPerCell = 16;

    /// <summary>Adds the textures to the scene's assets and points the cube's and puck's materials at them.</summary>
    public static void Apply(XDocument scene)
    {
        XElement asset = scene.Root!.Element("asset") ?? throw new SceneBuildException("the scene template has no <asset> section for the tag textures");
        // Picture side over face side: the cube's 10-cell picture fills its 5 cm face (black square 4 cm);
        // the puck's 3.5 cm picture fits inside its 2.5 cm-radius top (black square 2.8 cm).
        Tag(asset, SceneNames.Cube, CubeTagId, fill: 1.0);
        Tag(asset, SceneNames.Puck, PuckTagId, fill: 0.035 / 0.05);
    }

    private static void Tag(XElement asset, string materialName, int id, double fill)
    {
        XElement material = asset.Elements("material").FirstOrDefault(m => (string?)m.Attribute("name") == materialName)
            ?? throw new SceneBuildException($"the scene template has no material \"{materialName}\" to put tag {id} on");
        (byte r, byte g, byte b) = Colour((string?)material.Attribute("rgba"));
        TagImage tag = TagImage.Render(TagFamily.Tag36h11, id);
        int picture = tag.Cells * PixelsPerCell;
        int side = (int)Math.Round(picture / fill);
        int margin = (side - picture) / 2;
        side = picture + 2 * margin;
        byte[] gray = tag.Scaled(PixelsPerCell, margin, out _);
        // Outside the tag's own white quiet zone the face keeps the object's colour.
        var top = new byte[side * side * 3];
        for (int i = 0; i < side * side; i++)
        {
            int x = i % side, y = i / side;
            bool inPicture = x >= margin && x < margin + picture && y >= margin && y < margin + picture;
            top[i * 3] = inPicture ? gray[i] : r;
            top[i * 3 + 1] = inPicture ? gray[i] : g;
            top[i * 3 + 2] = inPicture ? gray[i] : b;
        }
        var plain = new byte[side * side * 3];
        for (int i = 0; i < side * side; i++)
        {
            plain[i * 3] = r;
            plain[i * 3 + 1] = g;
            plain[i * 3 + 2] = b;
        }
        string topFile = Cache($"tag36h11-{id}-{side}-{r:x2}{g:x2}{b:x2}", side, top);
        string plainFile = Cache($"plain-{side}-{r:x2}{g:x2}{b:x2}", side, plain);
        string texture = $"{materialName}_tag";
        asset.AddFirst(new XElement("texture",
            new XAttribute("name", texture), new XAttribute("type", "cube"),
            new XAttribute("fileup", plainFile), new XAttribute("filedown", plainFile),
            new XAttribute("fileleft", plainFile), new XAttribute("fileright", plainFile),
            new XAttribute("filefront", topFile), new XAttribute("fileback", plainFile)));
        material.SetAttributeValue("texture", texture);
        material.SetAttributeValue("rgba", "1 1 1 1");
    }

    private static (byte R, byte G, byte B) Colour(string? rgba)
    {
        double[] c = (rgba ?? "1 1 1 1").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return ((byte)Math.Round(c[0] * 255), (byte)Math.Round(c[1] * 255), (byte)Math.Round(c[2] * 255));
    }

    /// <summary>Writes the face once under the cache directory; returns its absolute path.</summary>
    private static string Cache(string name, int side, byte[] rgb)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"robotbridge-textures-{Environment.UserName}");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name + ".rgbtex");
        if (File.Exists(path) && new FileInfo(path).Length == 8 + rgb.Length)
        {
            return path;
        }
        string temporary = path + "." + Guid.NewGuid().ToString("N");
        using (var file = File.Create(temporary))
        {
            Span<byte> header = stackalloc byte[8];
            BitConverter.TryWriteBytes(header, side);
            BitConverter.TryWriteBytes(header[4..], side);
            file.Write(header);
            file.Write(rgb);
        }
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
