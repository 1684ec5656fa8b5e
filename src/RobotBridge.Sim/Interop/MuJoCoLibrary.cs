using System.Reflection;
using System.Runtime.InteropServices;

namespace RobotBridge.Sim.Interop;

/// <summary>
/// Loads the native MuJoCo library once per process, pinned to 2.2.2, and fails with an error that
/// names what is missing and the command that installs it.
/// </summary>
public static class MuJoCoLibrary
{
    /// <summary>The only MuJoCo version whose struct layout this interop was generated against.</summary>
    public const int RequiredVersion = 222;

    /// <summary>The soname Debian's libmujoco2.2.2 package installs.</summary>
    public const string SharedObjectName = "libmujoco.so.2.2.2";

    public const string InstallCommand = "sudo apt-get install -y libmujoco2.2.2 libmujoco-dev";

    private static readonly Lazy<IntPtr> Handle = new(LoadAndCheck, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads and version-checks the library; throws <see cref="MuJoCoUnavailableException"/>
    /// when it cannot be used. Safe to call from any thread, any number of times.</summary>
    public static void EnsureLoaded() => _ = Handle.Value;

    private static IntPtr LoadAndCheck()
    {
        if (!NativeLibrary.TryLoad(SharedObjectName, out IntPtr handle) &&
            !NativeLibrary.TryLoad("/usr/lib/x86_64-linux-gnu/" + SharedObjectName, out handle))
        {
            throw new MuJoCoUnavailableException(
                $"MuJoCo native library '{SharedObjectName}' was not found. " +
                $"Install it with: {InstallCommand}");
        }
        NativeLibrary.SetDllImportResolver(typeof(MuJoCoLibrary).Assembly, (name, _, _) => name switch
        {
            MuJoCoNative.Library => handle,
            Egl.Library => Egl.LoadLibrary(),
            _ => IntPtr.Zero,
        });
        int version = MuJoCoNative.mj_version();
        if (version != RequiredVersion)
        {
            throw new MuJoCoUnavailableException(
                $"MuJoCo reports version {version} but RobotBridge's interop is laid out for {RequiredVersion} (2.2.2). " +
                $"Install the pinned version with: {InstallCommand}");
        }
        return handle;
    }
}

/// <summary>The native MuJoCo library (or a piece it needs) is missing or the wrong version.</summary>
public sealed class MuJoCoUnavailableException(string message) : Exception(message);
