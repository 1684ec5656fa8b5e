using System.Xml.Linq;
using RobotBridge.Vision;

namespace RobotBridge.Sim.Scene;

/// <summary>
/// Puts AprilTags (tag36h11, drawn by the library itself through <see cref="TagImage"/>) on the twin's
/// cube and puck, the tags a real Fetch's camera tracker looks for (RobotBridge.Vision's fetch-tags.json):
/// the cube one on its top face and one on each side face, so a side stays in view while the gripper
/// covers the top; the puck one on its top. Only materials change: each object's geom gets a cube-map
/// texture whose faces are the tags and, where there is none, the object's plain colour, so masses,
/// contacts and the physics stay bit for bit what they were. The face images are MuJoCo's custom
/// texture format (int32 width, int32 height, RGB bytes) in a per-user cache directory, written once,
/// atomically, named by a hash of their content.
/// </summary>
public static class SceneTags
{
    /// <summary>Tag id on the cube's top face.</summary>
    public const int CubeTagId = 0;

    /// <summary>Tag id on the puck's top face.</summary>
    public const int PuckTagId = 1;

    /// <summary>Tag ids on the cube's side faces, facing its +x, +y, −x, −y.</summary>
    public const int CubePlusXTagId = 2, CubePlusYTagId = 3, CubeMinusXTagId = 4, CubeMinusYTagId = 5;

    /// <summary>Screen pixels per tag cell in the texture: 16 keeps the cell edges sharp at the head
    /// camera's distances (a 5 cm face spans ~40 px at 0.7 m).</summary>
    private const int PixelsPerCell = 16;

    /// <summary>A face of a box's cube-map texture, by MuJoCo's attribute names: right +x, left −x, up +y,
    /// down −y, front +z, back −z of the geom's frame.</summary>
    private enum Face { Right, Left, Up, Down, Front, Back }

    /// <summary>Adds the textures to the scene's assets and points the cube's and puck's materials at them.</summary>
    public static void Apply(XDocument scene)
    {
        XElement asset = scene.Root!.Element("asset") ?? throw new SceneBuildException("the scene template has no <asset> section for the tag textures");
        // Picture side over face side: the cube's 10-cell pictures fill its 5 cm faces (black square 4 cm);
        // the puck's 3.5 cm picture fits inside its 2.5 cm-radius top (black square 2.8 cm). Each side
        // picture reads upright seen from outside the face with the cube's top up (docs/vision.md).
        Tag(asset, SceneNames.Cube, fill: 1.0, new Dictionary<Face, int>
        {
            [Face.Front] = CubeTagId,
            [Face.Right] = CubePlusXTagId,
            [Face.Up] = CubePlusYTagId,
            [Face.Left] = CubeMinusXTagId,
            [Face.Down] = CubeMinusYTagId,
        });
        Tag(asset, SceneNames.Puck, fill: 0.035 / 0.05, new Dictionary<Face, int> { [Face.Front] = PuckTagId });
    }

    private static void Tag(XElement asset, string materialName, double fill, IReadOnlyDictionary<Face, int> tags)
    {
        XElement material = asset.Elements("material").FirstOrDefault(m => (string?)m.Attribute("name") == materialName)
            ?? throw new SceneBuildException($"the scene template has no material \"{materialName}\" to put tags {string.Join(", ", tags.Values)} on");
        (byte r, byte g, byte b) = Colour((string?)material.Attribute("rgba"));
        int picture = TagImage.Render(TagFamily.Tag36h11, tags.Values.First()).Cells * PixelsPerCell;
        int margin = ((int)Math.Round(picture / fill) - picture) / 2;
        int side = picture + 2 * margin;
        var plain = new byte[side * side * 3];
        for (int i = 0; i < side * side; i++)
        {
            plain[i * 3] = r;
            plain[i * 3 + 1] = g;
            plain[i * 3 + 2] = b;
        }
        string plainFile = Cache("plain", side, plain);
        string FaceFile(Face face)
        {
            if (!tags.TryGetValue(face, out int id))
            {
                return plainFile;
            }
            byte[] upright = FaceImage(id, side, margin, picture, r, g, b);
            byte[] drawn = Turned(upright, side, Turns(face));
            return Cache($"tag36h11-{id}-{face.ToString().ToLowerInvariant()}", side, drawn);
        }
        string texture = $"{materialName}_tag";
        asset.AddFirst(new XElement("texture",
            new XAttribute("name", texture), new XAttribute("type", "cube"),
            new XAttribute("fileup", FaceFile(Face.Up)), new XAttribute("filedown", FaceFile(Face.Down)),
            new XAttribute("fileleft", FaceFile(Face.Left)), new XAttribute("fileright", FaceFile(Face.Right)),
            new XAttribute("filefront", FaceFile(Face.Front)), new XAttribute("fileback", FaceFile(Face.Back))));
        material.SetAttributeValue("texture", texture);
        material.SetAttributeValue("rgba", "1 1 1 1");
    }

    /// <summary>How the upright picture is turned (quarter turns counter-clockwise) so MuJoCo lays it on
    /// <paramref name="face"/> reading upright seen from outside with the cube's top up (the top face:
    /// the picture's top toward +y, as the config's rpy [π, 0, 0] says). MuJoCo samples a cube map as
    /// OpenGL does: the image's columns run along −z, +z, +x, +x, +x of the geom on the right, left, up,
    /// down and front faces, its rows along −y, −y, +z, −z, −y; detected on the twin, the tags' poses
    /// agree (SideTagTests).</summary>
    private static int Turns(Face face) => face switch
    {
        Face.Right => 1,
        Face.Left => 3,
        Face.Up => 2,
        _ => 0,
    };

    /// <summary>Tag <paramref name="id"/>'s picture centred on a face of the object's colour.</summary>
    private static byte[] FaceImage(int id, int side, int margin, int picture, byte r, byte g, byte b)
    {
        byte[] gray = TagImage.Render(TagFamily.Tag36h11, id).Scaled(PixelsPerCell, margin, out _);
        // Outside the tag's own white quiet zone the face keeps the object's colour.
        var rgb = new byte[side * side * 3];
        for (int i = 0; i < side * side; i++)
        {
            int x = i % side, y = i / side;
            bool inPicture = x >= margin && x < margin + picture && y >= margin && y < margin + picture;
            rgb[i * 3] = inPicture ? gray[i] : r;
            rgb[i * 3 + 1] = inPicture ? gray[i] : g;
            rgb[i * 3 + 2] = inPicture ? gray[i] : b;
        }
        return rgb;
    }

    /// <summary>The square RGB image turned <paramref name="turns"/> quarter turns counter-clockwise.</summary>
    private static byte[] Turned(byte[] rgb, int side, int turns)
    {
        var output = new byte[rgb.Length];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                // Where the output pixel (x, y) comes from: one counter-clockwise turn shows at (x, y) the
                // source pixel (side − 1 − y, x), so the source's top-right corner lands top-left.
                int sx = x, sy = y;
                for (int t = 0; t < turns; t++)
                {
                    (sx, sy) = (side - 1 - sy, sx);
                }
                Array.Copy(rgb, (sy * side + sx) * 3, output, (y * side + x) * 3, 3);
            }
        }
        return output;
    }

    private static (byte R, byte G, byte B) Colour(string? rgba)
    {
        double[] c = (rgba ?? "1 1 1 1").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return ((byte)Math.Round(c[0] * 255), (byte)Math.Round(c[1] * 255), (byte)Math.Round(c[2] * 255));
    }

    /// <summary>Writes the face once under the cache directory, named by its content's hash (a face drawn
    /// differently never reuses an older file); returns its absolute path.</summary>
    private static string Cache(string label, int side, byte[] rgb)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"robotbridge-textures-{Environment.UserName}");
        Directory.CreateDirectory(directory);
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(rgb))[..16];
        string path = Path.Combine(directory, $"{label}-{side}-{hash}.rgbtex");
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
