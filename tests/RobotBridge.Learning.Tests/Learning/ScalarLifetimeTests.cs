using RobotBridge.Learning.Sac;

namespace RobotBridge.Learning.Tests.Learning;

public class ScalarLifetimeTests
{
    [Fact]
    public void Training_under_constant_garbage_collection_is_bit_identical_to_training_without()
    {
        var quiet = TrainAndAct();
        float[] stormy;
        using (var storm = new GcStorm())
        {
            stormy = TrainAndAct();
            Assert.True(storm.Collections > 100, $"only {storm.Collections} forced collections ran during training");
        }
        Assert.Equal(quiet, stormy);
    }

    private static float[] TrainAndAct() => DeterminismTests.TrainAndAct(
        new SacHerConfig { Seed = 5, Threads = 1, LearningStarts = 100, BufferTransitions = 10_000, BatchSize = 32, HiddenSizes = [16, 16] }, steps: 1500);

    /// <summary>Another thread forcing full collections and running finalizers back to back: what a busy
    /// process does now and then, all the time.</summary>
    private sealed class GcStorm : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private int _collections;

        public GcStorm()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                    GC.WaitForPendingFinalizers();
                    Interlocked.Increment(ref _collections);
                }
            })
            { IsBackground = true, Name = "gc-storm" };
            _thread.Start();
        }

        public int Collections => Volatile.Read(ref _collections);

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
