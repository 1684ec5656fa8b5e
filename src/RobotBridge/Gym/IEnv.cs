using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym;

/// <summary>What every env exposes without its value types (for registries, checkers, tools).</summary>
public interface IEnv : IDisposable
{
    Space ObservationSpace { get; }
    Space ActionSpace { get; }

    /// <summary>Fixed at construction; see <see cref="Gym.RenderMode"/>.</summary>
    RenderMode RenderMode { get; }

    /// <summary>How the env was made (id, options, time limit), or null when constructed directly.</summary>
    EnvSpec? Spec { get; }

    /// <summary>The innermost env under all wrappers (the env itself when not wrapped), e.g. to call
    /// <see cref="Goals.IGoalEnv.ComputeReward"/> through a wrapper stack.</summary>
    IEnv Unwrapped { get; }
}

/// <summary>
/// A reinforcement-learning environment with Gymnasium 1.x semantics.
/// </summary>
/// <remarks>
/// <para><b>Reset</b>(seed, options) starts an episode and returns the first observation and info. A
/// seed reseeds the env's random generator, so the same seed gives the same first observation and,
/// with the same actions, the same trajectory bit for bit. Without a seed the generator continues.</para>
/// <para><b>Step</b>(action) advances one step and returns:
/// <c>Observation</c> — the new observation, an element of <see cref="ObservationSpace"/>;
/// <c>Reward</c> — a finite double for the transition;
/// <c>Terminated</c> — the task reached a terminal state of the MDP (goal reached for good, robot
/// fell, safety stop): bootstrapping must stop;
/// <c>Truncated</c> — the episode was cut off for a reason outside the MDP (time limit, link lost):
/// the state is not terminal;
/// <c>Info</c> — auxiliary diagnostics (<see cref="InfoKeys"/>: success, timing, safety).
/// After either flag is true, call Reset before the next Step.</para>
/// <para><b>Ownership.</b> To keep steps allocation-free, an env may return the same observation
/// buffer and the same <see cref="Info"/> from every call and overwrite them on the next Reset/Step.
/// Read them before the next call, or copy (<see cref="Space{T}.Clone"/>, <see cref="Info.Clone"/>).
/// The env does not keep a reference to the action passed to Step.</para>
/// <para>Not thread-safe: one thread drives an env (vector envs give each env its own thread).</para>
/// </remarks>
public interface IEnv<TObs, TAct> : IEnv
{
    new Space<TObs> ObservationSpace { get; }
    new Space<TAct> ActionSpace { get; }

    /// <summary>Starts an episode. <paramref name="options"/> are env-specific (e.g. a fixed goal).</summary>
    ResetResult<TObs> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null);

    /// <summary>Applies <paramref name="action"/> (an element of <see cref="ActionSpace"/>) for one step.</summary>
    StepResult<TObs> Step(TAct action);

    /// <summary>The current frame when <see cref="IEnv.RenderMode"/> is <see cref="RenderMode.RgbArray"/>, else null.</summary>
    RenderFrame? Render();
}

/// <summary>Result of <see cref="IEnv{TObs, TAct}.Reset"/>; deconstructs as <c>var (obs, info) = env.Reset(seed: 1);</c></summary>
public readonly record struct ResetResult<TObs>(TObs Observation, Info Info);

/// <summary>Result of <see cref="IEnv{TObs, TAct}.Step"/>; deconstructs as
/// <c>var (obs, reward, terminated, truncated, info) = env.Step(action);</c></summary>
public readonly record struct StepResult<TObs>(TObs Observation, double Reward, bool Terminated, bool Truncated, Info Info)
{
    /// <summary>True when the episode is over for either reason.</summary>
    public bool Done => Terminated || Truncated;
}
