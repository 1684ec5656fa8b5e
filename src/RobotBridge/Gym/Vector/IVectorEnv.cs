using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Vector;

/// <summary>How a vector env is built by <see cref="Registration.EnvRegistry.MakeVec"/>.</summary>
public enum VectorizationMode
{
    /// <summary>All envs stepped one after another on the calling thread (<see cref="SyncVectorEnv{TObs, TAct}"/>).</summary>
    Sync,
    /// <summary>Envs stepped in parallel on worker threads (<see cref="ThreadedVectorEnv{TObs, TAct}"/>).</summary>
    Threaded,
}

/// <summary>When a vector env resets a sub-env whose episode ended.</summary>
public enum AutoresetMode
{
    /// <summary>Gymnasium 1.x default: the Step after the one that ended an episode resets that env
    /// instead of stepping it (its action is ignored), returning the first observation of the new
    /// episode with reward 0 and both flags false. No final observation is lost: it was returned by the
    /// ending step.</summary>
    NextStep,
}

/// <summary>
/// N copies of an env stepped together (Gymnasium's VectorEnv), with observations, actions, rewards
/// and flags in buffers allocated once at construction.
/// </summary>
/// <remarks>
/// <para>Use: <c>vec.Reset(seed: 1)</c>; each step write actions into <see cref="Actions"/> (e.g.
/// <c>((ArrayBatch&lt;float&gt;)vec.Actions).Data</c>, N x action size), call <see cref="Step"/>, read
/// <see cref="Observations"/>, <see cref="Rewards"/>, <see cref="Terminated"/>, <see cref="Truncated"/>,
/// <see cref="Infos"/>. Reset with seed s seeds env i with s + i. Sub-envs reset themselves
/// (<see cref="AutoresetMode.NextStep"/>).</para>
/// <para>All buffers are overwritten by the next call. <see cref="Infos"/>[i] is env i's own Info
/// (see the ownership rule of <see cref="IEnv{TObs, TAct}"/>).</para>
/// </remarks>
public interface IVectorEnv<TObs, TAct> : IDisposable
{
    int NumEnvs { get; }
    Space<TObs> SingleObservationSpace { get; }
    Space<TAct> SingleActionSpace { get; }
    AutoresetMode AutoresetMode { get; }

    /// <summary>Observations of all envs, one contiguous buffer per leaf.</summary>
    SpaceBatch<TObs> Observations { get; }

    /// <summary>Actions for the next <see cref="Step"/>; the caller fills it.</summary>
    SpaceBatch<TAct> Actions { get; }

    double[] Rewards { get; }
    bool[] Terminated { get; }
    bool[] Truncated { get; }
    Info[] Infos { get; }

    /// <summary>Resets every env (env i with seed + i when a seed is given) and fills <see cref="Observations"/> and <see cref="Infos"/>.</summary>
    void Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null);

    /// <summary>Steps every env with its row of <see cref="Actions"/> (or autoresets it) and fills the result buffers.</summary>
    void Step();
}
