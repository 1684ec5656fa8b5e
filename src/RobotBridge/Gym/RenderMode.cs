namespace RobotBridge.Gym;

/// <summary>How an env renders; fixed when the env is constructed (Gymnasium's render_mode).</summary>
public enum RenderMode
{
    /// <summary>No rendering; <c>Render()</c> returns null.</summary>
    None,
    /// <summary><c>Render()</c> returns the current frame as RGB pixels.</summary>
    RgbArray,
    /// <summary>The env shows frames to a person itself (a window or a viewer); <c>Render()</c> returns null.</summary>
    Human,
}

/// <summary>An RGB image returned by <c>Render()</c>: row-major, top row first, 3 bytes per pixel.</summary>
public sealed record RenderFrame(int Width, int Height, byte[] Rgb);
