using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym;

/// <summary>
/// Base class for envs: holds the render mode, the env's seeded random generator, the reusable
/// <see cref="Info"/>, and the disposed flag. Subclasses implement <see cref="OnReset"/> and
/// <see cref="Step"/> (see <see cref="IEnv{TObs, TAct}"/> for the contract).
/// </summary>
public abstract class Env<TObs, TAct> : IEnv<TObs, TAct>
{
    private Random? _rng;
    private bool _disposed;

    /// <param name="renderMode">Fixed for the env's life; must be one of <see cref="SupportedRenderModes"/>.</param>
    protected Env(RenderMode renderMode = RenderMode.None)
    {
        if (!SupportedRenderModes.Contains(renderMode))
            throw new InvalidEnvArgumentException(
                $"{GetType().Name} does not support render mode {renderMode}; supported: {string.Join(", ", SupportedRenderModes)}");
        RenderMode = renderMode;
    }

    public abstract Space<TObs> ObservationSpace { get; }
    public abstract Space<TAct> ActionSpace { get; }
    public RenderMode RenderMode { get; }
    public EnvSpec? Spec => null;
    public IEnv Unwrapped => this;
    Space IEnv.ObservationSpace => ObservationSpace;
    Space IEnv.ActionSpace => ActionSpace;

    /// <summary>Render modes this env accepts; <see cref="RenderMode.None"/> only unless overridden.</summary>
    public virtual IReadOnlyList<RenderMode> SupportedRenderModes => [RenderMode.None];

    /// <summary>The env's random generator (Gymnasium's np_random): seeded by Reset(seed), or from
    /// entropy at first use. Draw all randomness of an episode from it.</summary>
    protected Random Rng => _rng ??= new Random();

    /// <summary>Cleared at the start of every Reset and Step by the subclass and returned as the info.</summary>
    protected Info Info { get; } = new();

    public ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        ThrowIfDisposed();
        if (seed is int s)
            _rng = new Random(s); // seeded System.Random is a fixed algorithm: same seed, same stream on every machine
        Info.Clear();
        return OnReset(options);
    }

    /// <summary>Starts an episode after <see cref="Rng"/> has been (re)seeded and <see cref="Info"/> cleared.</summary>
    protected abstract ResetResult<TObs> OnReset(IReadOnlyDictionary<string, object?>? options);

    public abstract StepResult<TObs> Step(TAct action);

    public virtual RenderFrame? Render() => null;

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        DisposeResources();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the env owns; called once.</summary>
    protected virtual void DisposeResources()
    {
    }

    protected void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ClosedEnvironmentException($"{GetType().Name} was used after Dispose");
    }
}
