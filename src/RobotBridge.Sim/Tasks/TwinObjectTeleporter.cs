using RobotBridge.Model;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;

namespace RobotBridge.Sim.Tasks;

/// <summary>Puts one scene object of a served twin on its table where a client asks
/// (<c>robotbridge serve</c>'s twin-only placement topic), as an operator would by hand.</summary>
public sealed class TwinObjectTeleporter(FetchTwin twin, SceneObject item) : IObjectTeleporter
{
    public SceneObject Item => item;

    public string? TryPlace(Vec3 inBase) => twin.TryPlaceObjectOnTable(item, inBase);
}
