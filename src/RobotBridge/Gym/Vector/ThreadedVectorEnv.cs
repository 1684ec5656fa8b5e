namespace RobotBridge.Gym.Vector;

/// <summary>
/// Steps N envs in parallel on dedicated worker threads (Gymnasium's AsyncVectorEnv, with threads
/// instead of processes). Worker w owns envs w, w + W, w + 2W, ... for the env's whole life: it builds,
/// steps and disposes them, so thread-bound resources (an EGL render context) stay on one thread.
/// Worth it only when one env step is expensive and the machine has idle cores: the hand-off costs
/// tens of µs per vector step, and on a busy 2-core machine even the MuJoCo twin gains nothing (see
/// the Gym benchmarks and the README's Performance section).
/// </summary>
/// <remarks>Results are identical to <see cref="SyncVectorEnv{TObs, TAct}"/> for the same seeds and
/// actions: each env is still stepped by one thread in its own order. An exception in a sub-env is
/// rethrown by Reset/Step on the calling thread, naming the env, and faults the vector env.</remarks>
public sealed class ThreadedVectorEnv<TObs, TAct> : VectorEnv<TObs, TAct>
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _go;
    private readonly CountdownEvent _done;
    private readonly (int Env, Exception Error)?[] _errors;
    private readonly Func<int, IEnv<TObs, TAct>> _factory;
    private volatile Action<int>? _work;
    private volatile bool _stopping;

    /// <param name="factory">Builds env i; called on the worker thread that will own env i.</param>
    /// <param name="workerCount">Threads to use; default min(count, processor count).</param>
    public ThreadedVectorEnv(int count, Func<int, IEnv<TObs, TAct>> factory, int? workerCount = null) : base(count)
    {
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        int workers = Math.Min(count, workerCount ?? Environment.ProcessorCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers, nameof(workerCount));
        WorkerCount = workers;
        _threads = new Thread[workers];
        _go = new SemaphoreSlim[workers];
        _errors = new (int, Exception)?[workers];
        _done = new CountdownEvent(workers);
        for (int w = 0; w < workers; w++)
        {
            _go[w] = new SemaphoreSlim(0);
            int worker = w;
            _threads[w] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"gym-vector-{w}" };
            _threads[w].Start();
        }
        _done.Wait(); // every worker has built its envs (or failed)
        var buildError = FirstError();
        try
        {
            if (buildError is { } e)
                throw new InvalidOperationException($"building env {e.Env} failed: {e.Error.Message}", e.Error);
            AllocateBuffers();
        }
        catch
        {
            StopWorkers();
            throw;
        }
    }

    public int WorkerCount { get; }

    private protected override List<(int Env, Exception Error)>? RunAll(Action<int> work)
    {
        Array.Clear(_errors);
        _work = work;
        _done.Reset(WorkerCount);
        foreach (var go in _go)
            go.Release();
        _done.Wait();
        List<(int, Exception)>? errors = null;
        foreach (var e in _errors)
            if (e is { } error)
                (errors ??= []).Add(error);
        return errors;
    }

    private protected override void DisposeEnvs() => StopWorkers();

    private void StopWorkers()
    {
        _stopping = true;
        foreach (var go in _go)
            go.Release();
        foreach (var t in _threads)
            t.Join();
        foreach (var go in _go)
            go.Dispose();
        _done.Dispose();
    }

    private void WorkerLoop(int worker)
    {
        int built = worker;
        try
        {
            for (; built < NumEnvs; built += WorkerCount)
                SetEnv(built, _factory(built));
        }
        catch (Exception e)
        {
            _errors[worker] = (built, e);
        }
        _done.Signal();

        while (true)
        {
            _go[worker].Wait();
            if (_stopping)
                break;
            var work = _work!;
            for (int i = worker; i < NumEnvs; i += WorkerCount)
            {
                try
                {
                    work(i);
                }
                catch (Exception e)
                {
                    _errors[worker] = (i, e);
                    break;
                }
            }
            _done.Signal();
        }

        for (int i = worker; i < built && i < NumEnvs; i += WorkerCount)
        {
            try
            {
                EnvAt(i).Dispose();
            }
            catch (Exception)
            {
                // Disposal is best effort on shutdown; the remaining envs must still be released.
            }
        }
    }

    private (int Env, Exception Error)? FirstError()
    {
        foreach (var e in _errors)
            if (e is not null)
                return e;
        return null;
    }
}
