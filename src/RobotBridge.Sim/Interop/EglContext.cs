using System.Runtime.InteropServices;

namespace RobotBridge.Sim.Interop;

/// <summary>
/// A headless OpenGL context through EGL: a GPU device when EGL exposes a hardware one, otherwise
/// Mesa's surfaceless platform (llvmpipe software rasterizer, no display). A context is current on
/// at most one thread; <see cref="MakeCurrent"/> / <see cref="Release"/> bracket each use so the
/// owning twin may be stepped from any thread.
/// </summary>
internal sealed unsafe class EglContext : IDisposable
{
    private IntPtr _display;
    private IntPtr _context;

    public EglContext()
    {
        Egl.EnsureLoaded();
        _display = OpenDisplay(out string platform);
        try
        {
            int major, minor;
            if (Egl.eglInitialize(_display, &major, &minor) == 0)
            {
                throw Failure($"eglInitialize on the {platform} platform");
            }
            int* attributes = stackalloc int[]
            {
                Egl.EGL_RED_SIZE, 8, Egl.EGL_GREEN_SIZE, 8, Egl.EGL_BLUE_SIZE, 8, Egl.EGL_ALPHA_SIZE, 8,
                Egl.EGL_DEPTH_SIZE, 24, Egl.EGL_STENCIL_SIZE, 8,
                Egl.EGL_COLOR_BUFFER_TYPE, Egl.EGL_RGB_BUFFER,
                Egl.EGL_SURFACE_TYPE, Egl.EGL_PBUFFER_BIT,
                Egl.EGL_RENDERABLE_TYPE, Egl.EGL_OPENGL_BIT,
                Egl.EGL_NONE,
            };
            IntPtr config;
            int count;
            if (Egl.eglChooseConfig(_display, attributes, &config, 1, &count) == 0 || count < 1)
            {
                throw Failure("eglChooseConfig (RGBA8, depth 24, desktop OpenGL)");
            }
            if (Egl.eglBindAPI(Egl.EGL_OPENGL_API) == 0)
            {
                throw Failure("eglBindAPI(EGL_OPENGL_API)");
            }
            _context = Egl.eglCreateContext(_display, config, IntPtr.Zero, null);
            if (_context == IntPtr.Zero)
            {
                throw Failure("eglCreateContext");
            }
            Description = $"{Egl.QueryString(_display, Egl.EGL_VENDOR)} EGL {major}.{minor} ({platform})";
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Vendor, version and platform, for logs and benchmark reports.</summary>
    public string Description { get; } = "";

    public void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_context == IntPtr.Zero, this);
        if (Egl.eglGetCurrentContext() != _context &&
            Egl.eglMakeCurrent(_display, IntPtr.Zero, IntPtr.Zero, _context) == 0)
        {
            throw Failure("eglMakeCurrent (is the twin rendered from two threads at once?)");
        }
    }

    public void Release()
    {
        if (_display != IntPtr.Zero)
        {
            // Best effort on the way out: a context that cannot be released leaves nothing to undo.
            _ = Egl.eglMakeCurrent(_display, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero);
        }
    }

    public void Dispose()
    {
        if (_context != IntPtr.Zero)
        {
            Release();
            _ = Egl.eglDestroyContext(_display, _context);
            _context = IntPtr.Zero;
        }
        // The display is not terminated: eglGetPlatformDisplay hands every twin in the process the
        // same EGLDisplay, and eglTerminate is not reference counted, so terminating it here would
        // break the contexts of every other live twin (seen as EGL_BAD_DISPLAY in parallel tests).
        _display = IntPtr.Zero;
    }

    private static IntPtr OpenDisplay(out string platform)
    {
        var getPlatformDisplay = (delegate* unmanaged<int, IntPtr, int*, IntPtr>)Egl.eglGetProcAddress("eglGetPlatformDisplayEXT");
        if (getPlatformDisplay == null)
        {
            throw new MuJoCoUnavailableException(
                $"EGL lacks eglGetPlatformDisplayEXT, so no headless display can be opened. Install Mesa's EGL with: {Egl.InstallCommand}");
        }
        IntPtr hardware = HardwareDevice();
        if (hardware != IntPtr.Zero)
        {
            IntPtr display = getPlatformDisplay(Egl.EGL_PLATFORM_DEVICE_EXT, hardware, null);
            if (display != IntPtr.Zero)
            {
                platform = "GPU device";
                return display;
            }
        }
        IntPtr surfaceless = getPlatformDisplay(Egl.EGL_PLATFORM_SURFACELESS_MESA, IntPtr.Zero, null);
        if (surfaceless == IntPtr.Zero)
        {
            throw new MuJoCoUnavailableException(
                $"Mesa's surfaceless EGL platform is not available. Install it with: {Egl.InstallCommand}");
        }
        platform = "surfaceless software";
        return surfaceless;
    }

    /// <summary>First EGL device that is not Mesa's software device, or zero.</summary>
    private static IntPtr HardwareDevice()
    {
        var queryDevices = (delegate* unmanaged<int, IntPtr*, int*, int>)Egl.eglGetProcAddress("eglQueryDevicesEXT");
        var queryDeviceString = (delegate* unmanaged<IntPtr, int, IntPtr>)Egl.eglGetProcAddress("eglQueryDeviceStringEXT");
        if (queryDevices == null || queryDeviceString == null)
        {
            return IntPtr.Zero;
        }
        IntPtr* devices = stackalloc IntPtr[8];
        int count;
        if (queryDevices(8, devices, &count) == 0)
        {
            return IntPtr.Zero;
        }
        for (int i = 0; i < count; i++)
        {
            string extensions = Marshal.PtrToStringUTF8(queryDeviceString(devices[i], Egl.EGL_EXTENSIONS)) ?? "";
            if (!extensions.Contains("EGL_MESA_device_software", StringComparison.Ordinal))
            {
                return devices[i];
            }
        }
        return IntPtr.Zero;
    }

    private static MuJoCoUnavailableException Failure(string call) =>
        new($"{call} failed with EGL error 0x{Egl.eglGetError():X}. Offscreen rendering needs Mesa's EGL: {Egl.InstallCommand}");
}
