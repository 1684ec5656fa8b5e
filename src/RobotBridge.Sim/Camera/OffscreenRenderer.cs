using RobotBridge.Sim.Interop;

namespace RobotBridge.Sim.Camera;

/// <summary>
/// Renders one fixed MuJoCo camera into caller-provided RGB and depth buffers through a headless EGL
/// context. Owns the EGL context, the mjvScene and the mjrContext; allocates nothing per frame.
/// </summary>
public sealed unsafe class OffscreenRenderer : IDisposable
{
    private readonly SimModel _model;
    private readonly EglContext _egl;
    private readonly NativeStructHandle _scene;
    private readonly NativeStructHandle _option;
    private readonly NativeStructHandle _camera;
    private readonly NativeStructHandle _context;
    private readonly float[] _rawDepth;
    private readonly byte[] _rawRgb;
    private readonly double _near;
    private readonly double _far;

    /// <param name="model">The model to render; must outlive the renderer.</param>
    /// <param name="cameraName">A fixed camera of the model.</param>
    public OffscreenRenderer(SimModel model, string cameraName, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        _model = model;
        Width = width;
        Height = height;
        CameraId = model.RequireId(MjObject.Camera, cameraName);
        _rawRgb = new byte[width * height * 3];
        _rawDepth = new float[width * height];
        _near = model.ZNear;
        _far = model.ZFar;

        _egl = new EglContext();
        NativeStructHandle? scene = null, option = null, camera = null, context = null;
        try
        {
            _egl.MakeCurrent();
            // The offscreen framebuffer is sized from the model when the context is made.
            if (model.OffscreenWidth < width) model.OffscreenWidth = width;
            if (model.OffscreenHeight < height) model.OffscreenHeight = height;

            scene = new NativeStructHandle(MjOpaqueSizes.mjvScene, MuJoCoNative.mjv_freeScene);
            MuJoCoNative.mjv_defaultScene(scene.DangerousGetHandle());
            MuJoCoNative.mjv_makeScene(model.Ptr, scene.DangerousGetHandle(), 2000);

            option = new NativeStructHandle(MjOpaqueSizes.mjvOption);
            MuJoCoNative.mjv_defaultOption(option.DangerousGetHandle());

            camera = new NativeStructHandle(MjvCameraLayout.Size);
            MuJoCoNative.mjv_defaultCamera(camera.DangerousGetHandle());
            *(int*)(camera.DangerousGetHandle() + MjvCameraLayout.type) = MjvCameraLayout.mjCAMERA_FIXED;
            *(int*)(camera.DangerousGetHandle() + MjvCameraLayout.fixedcamid) = CameraId;

            context = new NativeStructHandle(MjOpaqueSizes.mjrContext, MuJoCoNative.mjr_freeContext);
            MuJoCoNative.mjr_defaultContext(context.DangerousGetHandle());
            MuJoCoNative.mjr_makeContext(model.Ptr, context.DangerousGetHandle(), MjEnums.mjFONTSCALE_100);
            MuJoCoNative.mjr_setBuffer(MjEnums.mjFB_OFFSCREEN, context.DangerousGetHandle());
            _egl.Release();
        }
        catch
        {
            context?.Dispose();
            camera?.Dispose();
            option?.Dispose();
            scene?.Dispose();
            _egl.Release();
            _egl.Dispose();
            throw;
        }
        _scene = scene;
        _option = option;
        _camera = camera;
        _context = context;
    }

    public int Width { get; }
    public int Height { get; }
    public int CameraId { get; }

    /// <summary>Which EGL implementation renders (GPU device or Mesa software).</summary>
    public string Backend => _egl.Description;

    /// <summary>
    /// Renders the current state of <paramref name="data"/>: <see cref="Snapshot"/> then <see cref="Draw"/>.
    /// <paramref name="rgb"/> receives Width*Height*3 bytes, top row first; <paramref name="depth"/> (optional,
    /// may be empty) receives metric depth along the optical axis, or +∞ where nothing is within the far clip plane.
    /// </summary>
    public void Render(SimData data, Span<byte> rgb, Span<float> depth)
    {
        Snapshot(data);
        Draw(rgb, depth);
    }

    /// <summary>
    /// Copies what the camera sees in <paramref name="data"/> (geometry poses, colours, the camera's own pose)
    /// into the renderer's scene. CPU only and short: the part that needs the world held still. Until the
    /// next snapshot, <see cref="Draw"/> needs nothing of the world.
    /// </summary>
    public void Snapshot(SimData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        MuJoCoNative.mjv_updateScene(_model.Ptr, data.Ptr, _option.DangerousGetHandle(), IntPtr.Zero,
            _camera.DangerousGetHandle(), MjEnums.mjCAT_ALL, _scene.DangerousGetHandle());
    }

    /// <summary>Rasterises the last <see cref="Snapshot"/> into <paramref name="rgb"/> and <paramref name="depth"/>
    /// (as <see cref="Render"/>): the expensive part (Mesa llvmpipe runs it on the CPU), which may run while the
    /// world steps on.</summary>
    public void Draw(Span<byte> rgb, Span<float> depth)
    {
        int pixels = Width * Height;
        if (rgb.Length < pixels * 3)
        {
            throw new ArgumentException($"RGB buffer holds {rgb.Length} bytes, {pixels * 3} needed for {Width}x{Height}", nameof(rgb));
        }
        bool wantDepth = !depth.IsEmpty;
        if (wantDepth && depth.Length < pixels)
        {
            throw new ArgumentException($"depth buffer holds {depth.Length} floats, {pixels} needed", nameof(depth));
        }
        _egl.MakeCurrent();
        try
        {
            IntPtr context = _context.DangerousGetHandle();
            var viewport = new MjrRect(0, 0, Width, Height);
            MuJoCoNative.mjr_render(viewport, _scene.DangerousGetHandle(), context);
            fixed (byte* rawRgb = _rawRgb)
            fixed (float* rawDepth = _rawDepth)
            {
                MuJoCoNative.mjr_readPixels(rawRgb, wantDepth ? rawDepth : null, viewport, context);
            }
        }
        finally
        {
            _egl.Release();
        }
        // OpenGL returns the bottom row first; images are stored top row first.
        int rowBytes = Width * 3;
        for (int y = 0; y < Height; y++)
        {
            _rawRgb.AsSpan((Height - 1 - y) * rowBytes, rowBytes).CopyTo(rgb.Slice(y * rowBytes, rowBytes));
        }
        if (wantDepth)
        {
            LineariseDepth(depth);
        }
    }

    private void LineariseDepth(Span<float> depth)
    {
        // Perspective depth buffer value d ∈ [0,1] → distance along the optical axis.
        double near = _near, far = _far, span = far - near, numerator = near * far;
        for (int y = 0; y < Height; y++)
        {
            ReadOnlySpan<float> source = _rawDepth.AsSpan((Height - 1 - y) * Width, Width);
            Span<float> target = depth.Slice(y * Width, Width);
            for (int x = 0; x < Width; x++)
            {
                double d = source[x];
                target[x] = d >= 1.0 ? float.PositiveInfinity : (float)(numerator / (far - d * span));
            }
        }
    }

    public void Dispose()
    {
        // The GL objects inside mjrContext must be freed with the context current. If the context is
        // gone (the fault that brought us here), freeing them would touch a dead driver: leak them.
        bool current = false;
        try
        {
            _egl.MakeCurrent();
            current = true;
        }
        catch (MuJoCoUnavailableException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        try
        {
            if (current)
            {
                _context.Dispose();
            }
            else
            {
                _context.SetHandleAsInvalid();
            }
        }
        finally
        {
            _camera.Dispose();
            _option.Dispose();
            _scene.Dispose();
            _egl.Dispose();
        }
    }
}
