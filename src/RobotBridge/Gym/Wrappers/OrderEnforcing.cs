namespace RobotBridge.Gym.Wrappers;

/// <summary>Throws <see cref="ResetNeededException"/> when Step (or Render) comes before the first Reset.</summary>
public sealed class OrderEnforcing<TObs, TAct>(IEnv<TObs, TAct> inner, bool allowRenderBeforeReset = false) : Wrapper<TObs, TAct>(inner)
{
    private bool _hasReset;

    public bool HasReset => _hasReset;

    public override ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var r = Inner.Reset(seed, options);
        _hasReset = true;
        return r;
    }

    public override StepResult<TObs> Step(TAct action) => _hasReset
        ? Inner.Step(action)
        : throw new ResetNeededException($"Step was called before Reset on {Unwrapped.GetType().Name}; call Reset(seed) first");

    public override RenderFrame? Render() => _hasReset || allowRenderBeforeReset
        ? Inner.Render()
        : throw new ResetNeededException($"Render was called before Reset on {Unwrapped.GetType().Name}; call Reset first or pass allowRenderBeforeReset");
}
