using System.Runtime.InteropServices;

namespace RobotBridge.Sim.Interop;

/// <summary>
/// P/Invoke declarations for the parts of the MuJoCo 2.2.2 C API the twin uses. Names and argument
/// order follow mujoco.h; structs are passed as raw pointers whose fields are read through
/// <see cref="MjModelLayout"/> / <see cref="MjDataLayout"/>. Call <see cref="MuJoCoLibrary.EnsureLoaded"/>
/// first: it resolves "mujoco" to the pinned library and checks its version.
/// </summary>
internal static unsafe partial class MuJoCoNative
{
    public const string Library = "mujoco";

    [LibraryImport(Library)]
    public static partial int mj_version();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr mj_loadXML(string filename, IntPtr vfs, byte* error, int errorSize);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mj_saveLastXML(string filename, IntPtr model, byte* error, int errorSize);

    [LibraryImport(Library)]
    public static partial void mj_deleteModel(IntPtr model);

    [LibraryImport(Library)]
    public static partial IntPtr mj_makeData(IntPtr model);

    [LibraryImport(Library)]
    public static partial void mj_deleteData(IntPtr data);

    [LibraryImport(Library)]
    public static partial void mj_resetData(IntPtr model, IntPtr data);

    [LibraryImport(Library)]
    public static partial void mj_resetDataKeyframe(IntPtr model, IntPtr data, int key);

    [LibraryImport(Library)]
    public static partial void mj_step(IntPtr model, IntPtr data);

    [LibraryImport(Library)]
    public static partial void mj_step1(IntPtr model, IntPtr data);

    [LibraryImport(Library)]
    public static partial void mj_step2(IntPtr model, IntPtr data);

    [LibraryImport(Library)]
    public static partial void mj_forward(IntPtr model, IntPtr data);

    [LibraryImport(Library)]
    public static partial void mj_setConst(IntPtr model, IntPtr data);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mj_name2id(IntPtr model, int type, string name);

    [LibraryImport(Library)]
    public static partial void mj_jacBody(IntPtr model, IntPtr data, double* jacp, double* jacr, int body);

    [LibraryImport(Library)]
    public static partial void mjv_defaultScene(IntPtr scene);

    [LibraryImport(Library)]
    public static partial void mjv_makeScene(IntPtr model, IntPtr scene, int maxgeom);

    [LibraryImport(Library)]
    public static partial void mjv_freeScene(IntPtr scene);

    [LibraryImport(Library)]
    public static partial void mjv_defaultOption(IntPtr option);

    [LibraryImport(Library)]
    public static partial void mjv_defaultCamera(IntPtr camera);

    [LibraryImport(Library)]
    public static partial void mjv_updateScene(IntPtr model, IntPtr data, IntPtr option, IntPtr perturb, IntPtr camera, int catmask, IntPtr scene);

    [LibraryImport(Library)]
    public static partial void mjr_defaultContext(IntPtr context);

    [LibraryImport(Library)]
    public static partial void mjr_makeContext(IntPtr model, IntPtr context, int fontscale);

    [LibraryImport(Library)]
    public static partial void mjr_freeContext(IntPtr context);

    [LibraryImport(Library)]
    public static partial void mjr_setBuffer(int framebuffer, IntPtr context);

    [LibraryImport(Library)]
    public static partial void mjr_render(MjrRect viewport, IntPtr scene, IntPtr context);

    [LibraryImport(Library)]
    public static partial void mjr_readPixels(byte* rgb, float* depth, MjrRect viewport, IntPtr context);
}

/// <summary>mjrRect: a viewport rectangle, passed by value.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct MjrRect(int Left, int Bottom, int Width, int Height);
