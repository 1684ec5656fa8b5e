using RobotBridge.Distributed.Contract;

namespace RobotBridge.Distributed.Tests;

public sealed class WorkerSeedsTests
{
    [Fact]
    public void SeedsAreFixedNumbers_NotPerProcessHashes()
    {
        // The same values on every machine and in every process: a worker elsewhere derives what this one does.
        Assert.Equal(WorkerSeeds.Derive(1, 0, 1), WorkerSeeds.Derive(1, 0, 1));
        Assert.Equal(459615264, WorkerSeeds.Derive(1, 0, 1));
    }

    [Fact]
    public void SlotsGenerationsAndRunSeedsGetDistinctSeeds()
    {
        var seeds = new HashSet<int>();
        for (int run = 0; run < 4; run++)
            for (int slot = 0; slot < 16; slot++)
                for (int generation = 1; generation < 8; generation++)
                    Assert.True(seeds.Add(WorkerSeeds.Derive(run, slot, generation)), $"seed repeated at run {run} slot {slot} generation {generation}");
        Assert.All(seeds, s => Assert.True(s >= 0));
    }
}
