namespace RobotBridge.Gym.Vector;

/// <summary>Steps N envs one after another on the calling thread (Gymnasium's SyncVectorEnv). The
/// cheapest choice when one env step is short (the toy env, a virtual-clock twin on few cores).</summary>
public sealed class SyncVectorEnv<TObs, TAct> : VectorEnv<TObs, TAct>
{
    /// <param name="factory">Builds env i; called in index order on the calling thread.</param>
    public SyncVectorEnv(int count, Func<int, IEnv<TObs, TAct>> factory) : base(count)
    {
        ArgumentNullException.ThrowIfNull(factory);
        int built = 0;
        try
        {
            for (; built < count; built++)
                SetEnv(built, factory(built));
            AllocateBuffers();
        }
        catch
        {
            for (int i = 0; i < built; i++)
                EnvAt(i).Dispose();
            throw;
        }
    }

    public SyncVectorEnv(IReadOnlyList<IEnv<TObs, TAct>> envs) : this(envs.Count, i => envs[i])
    {
    }

    private protected override List<(int Env, Exception Error)>? RunAll(Action<int> work)
    {
        for (int i = 0; i < NumEnvs; i++)
        {
            try
            {
                work(i);
            }
            catch (Exception e)
            {
                return [(i, e)];
            }
        }
        return null;
    }

    private protected override void DisposeEnvs()
    {
        for (int i = 0; i < NumEnvs; i++)
            EnvAt(i).Dispose();
    }
}
