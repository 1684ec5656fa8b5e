using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Wrappers;

/// <summary>
/// Base of every wrapper: an env that drives an inner env, possibly with other value types
/// (FlattenObservation turns a Dict observation into a <c>double[]</c>). Everything not overridden is
/// forwarded. A wrapper owns its inner env: disposing the wrapper disposes the stack.
/// </summary>
public abstract class EnvWrapper<TObs, TAct, TInnerObs, TInnerAct> : IEnv<TObs, TAct>
{
    private EnvSpec? _spec;
    private bool _disposed;

    protected EnvWrapper(IEnv<TInnerObs, TInnerAct> inner)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
    }

    /// <summary>The env this wrapper drives.</summary>
    public IEnv<TInnerObs, TInnerAct> Inner { get; }

    public abstract Space<TObs> ObservationSpace { get; }
    public abstract Space<TAct> ActionSpace { get; }
    Space IEnv.ObservationSpace => ObservationSpace;
    Space IEnv.ActionSpace => ActionSpace;
    public RenderMode RenderMode => Inner.RenderMode;
    public IEnv Unwrapped => Inner.Unwrapped;

    /// <summary>The spec Make set on this (outermost) wrapper, else the inner env's.</summary>
    public EnvSpec? Spec
    {
        get => _spec ?? Inner.Spec;
        internal set => _spec = value;
    }

    public abstract ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null);
    public abstract StepResult<TObs> Step(TAct action);
    public virtual RenderFrame? Render() => Inner.Render();

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        DisposeResources();
        Inner.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the wrapper itself owns, before the inner env is disposed.</summary>
    protected virtual void DisposeResources()
    {
    }

    public override string ToString() => $"{GetType().Name.Split('`')[0]}<{Inner}>";
}

/// <summary>A wrapper that keeps the value types; forwards Reset and Step unless overridden.</summary>
public abstract class Wrapper<TObs, TAct>(IEnv<TObs, TAct> inner) : EnvWrapper<TObs, TAct, TObs, TAct>(inner)
{
    public override Space<TObs> ObservationSpace => Inner.ObservationSpace;
    public override Space<TAct> ActionSpace => Inner.ActionSpace;
    public override ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null) => Inner.Reset(seed, options);
    public override StepResult<TObs> Step(TAct action) => Inner.Step(action);
}

/// <summary>A wrapper that transforms every observation (Gymnasium's ObservationWrapper).</summary>
public abstract class ObservationWrapper<TObs, TInnerObs, TAct>(IEnv<TInnerObs, TAct> inner)
    : EnvWrapper<TObs, TAct, TInnerObs, TAct>(inner)
{
    public override Space<TAct> ActionSpace => Inner.ActionSpace;

    /// <summary>The transformed observation; may be a buffer the wrapper reuses every call.</summary>
    protected abstract TObs Observation(TInnerObs observation);

    public override ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var (obs, info) = Inner.Reset(seed, options);
        return new ResetResult<TObs>(Observation(obs), info);
    }

    public override StepResult<TObs> Step(TAct action)
    {
        var s = Inner.Step(action);
        return new StepResult<TObs>(Observation(s.Observation), s.Reward, s.Terminated, s.Truncated, s.Info);
    }
}

/// <summary>A wrapper that transforms every action before the inner env sees it (Gymnasium's ActionWrapper).</summary>
public abstract class ActionWrapper<TObs, TAct, TInnerAct>(IEnv<TObs, TInnerAct> inner)
    : EnvWrapper<TObs, TAct, TObs, TInnerAct>(inner)
{
    public override Space<TObs> ObservationSpace => Inner.ObservationSpace;

    /// <summary>The inner env's action for <paramref name="action"/>; may be a buffer the wrapper reuses.</summary>
    protected abstract TInnerAct Action(TAct action);

    public override ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null) => Inner.Reset(seed, options);
    public override StepResult<TObs> Step(TAct action) => Inner.Step(Action(action));
}
