using System.Runtime.InteropServices;

namespace RobotBridge.Sim.Interop;

/// <summary>
/// The few EGL 1.5 entry points needed for a headless OpenGL context (libglvnd's libEGL.so.1).
/// MuJoCo finds the loaded EGL platform library itself and takes its GL function pointers from it.
/// </summary>
internal static unsafe partial class Egl
{
    public const string Library = "EGL";
    public const string SharedObjectName = "libEGL.so.1";
    public const string InstallCommand = "sudo apt-get install -y libegl1 libegl-mesa0 libgl1-mesa-dri";

    public const int EGL_NONE = 0x3038;
    public const int EGL_RED_SIZE = 0x3024;
    public const int EGL_GREEN_SIZE = 0x3023;
    public const int EGL_BLUE_SIZE = 0x3022;
    public const int EGL_ALPHA_SIZE = 0x3021;
    public const int EGL_DEPTH_SIZE = 0x3025;
    public const int EGL_STENCIL_SIZE = 0x3026;
    public const int EGL_COLOR_BUFFER_TYPE = 0x303F;
    public const int EGL_RGB_BUFFER = 0x308E;
    public const int EGL_SURFACE_TYPE = 0x3033;
    public const int EGL_PBUFFER_BIT = 0x0001;
    public const int EGL_RENDERABLE_TYPE = 0x3040;
    public const int EGL_OPENGL_BIT = 0x0008;
    public const uint EGL_OPENGL_API = 0x30A2;
    public const int EGL_EXTENSIONS = 0x3055;
    public const int EGL_VENDOR = 0x3053;
    public const int EGL_PLATFORM_DEVICE_EXT = 0x313F;
    public const int EGL_PLATFORM_SURFACELESS_MESA = 0x31DD;

    private static readonly Lazy<IntPtr> Handle = new(() =>
        NativeLibrary.TryLoad(SharedObjectName, out IntPtr handle) ? handle : IntPtr.Zero);

    /// <summary>The libEGL handle, or zero when it is not installed (the resolver then reports it).</summary>
    public static IntPtr LoadLibrary() => Handle.Value;

    /// <summary>Throws <see cref="MuJoCoUnavailableException"/> naming the package when libEGL is absent.</summary>
    public static void EnsureLoaded()
    {
        MuJoCoLibrary.EnsureLoaded();
        if (LoadLibrary() == IntPtr.Zero)
        {
            throw new MuJoCoUnavailableException(
                $"'{SharedObjectName}' was not found, so the head camera cannot render offscreen. Install it with: {InstallCommand}");
        }
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr eglGetProcAddress(string name);

    [LibraryImport(Library)]
    public static partial int eglInitialize(IntPtr display, int* major, int* minor);

    [LibraryImport(Library)]
    public static partial int eglChooseConfig(IntPtr display, int* attributes, IntPtr* configs, int size, int* count);

    [LibraryImport(Library)]
    public static partial int eglBindAPI(uint api);

    [LibraryImport(Library)]
    public static partial IntPtr eglCreateContext(IntPtr display, IntPtr config, IntPtr share, int* attributes);

    [LibraryImport(Library)]
    public static partial int eglDestroyContext(IntPtr display, IntPtr context);

    [LibraryImport(Library)]
    public static partial int eglMakeCurrent(IntPtr display, IntPtr draw, IntPtr read, IntPtr context);

    [LibraryImport(Library)]
    public static partial IntPtr eglGetCurrentContext();

    [LibraryImport(Library)]
    public static partial int eglGetError();

    [LibraryImport(Library)]
    public static partial IntPtr eglQueryString(IntPtr display, int name);

    public static string QueryString(IntPtr display, int name)
    {
        IntPtr text = eglQueryString(display, name);
        return text == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(text) ?? "";
    }
}
