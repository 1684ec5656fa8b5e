using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Vector;

namespace RobotBridge.Gym;

/// <summary>
/// Shortcuts to <see cref="EnvRegistry.Default"/>: <c>GymEnvs.Make("PointMassGoal-v0")</c> is
/// gymnasium.make. (Not named <c>Gym</c>: inside any <c>RobotBridge.*</c> namespace that name
/// resolves to the <c>RobotBridge.Gym</c> namespace, not to a class.)
/// </summary>
public static class GymEnvs
{
    public static IEnv Make(string id, EnvOptions? options = null) => EnvRegistry.Default.Make(id, options);

    public static IEnv<TObs, TAct> Make<TObs, TAct>(string id, EnvOptions? options = null) => EnvRegistry.Default.Make<TObs, TAct>(id, options);

    public static IVectorEnv<TObs, TAct> MakeVec<TObs, TAct>(string id, int count, EnvOptions? options = null, VectorizationMode mode = VectorizationMode.Sync) =>
        EnvRegistry.Default.MakeVec<TObs, TAct>(id, count, options, mode);

    public static void Register(EnvSpec spec) => EnvRegistry.Default.Register(spec);
}
