using RobotBridge.Distributed.Contract;
using RobotBridge.Distributed.Learner;

namespace RobotBridge.Distributed.Tests;

public sealed class WorkerRegistryTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void SilentWorkerLosesItsSlot_TheNextJoinerTakesItWithAFreshSeed_AndTheOldTicketIsTurnedAway()
    {
        string dir = Directory.CreateTempSubdirectory("robotbridge-dist-").FullName;
        var time = new ManualTime();
        using (var records = new RunRecords(dir, null, time))
        {
            var registry = new WorkerRegistry(runSeed: 1, TimeSpan.FromSeconds(30), records, time);
            var (a, seedA) = registry.Join(new JoinRequest("a", -1, 100));
            var (b, _) = registry.Join(new JoinRequest("b", -1, 101));
            Assert.Equal((0, 1), (a.Slot, a.Generation));
            Assert.Equal((1, 1), (b.Slot, b.Generation));
            time.Now += TimeSpan.FromSeconds(20);
            Assert.True(registry.Touch(b, 2));
            time.Now += TimeSpan.FromSeconds(15);
            Assert.Equal(1, registry.ExpireSilent()); // a: silent 35 s; b: 15 s
            Assert.Equal(1, registry.ActiveWorkers);
            var (c, seedC) = registry.Join(new JoinRequest("c", -1, 102));
            Assert.Equal((0, 2), (c.Slot, c.Generation));
            Assert.NotEqual(seedA, seedC);
            Assert.False(registry.Touch(a, 1));
            Assert.True(registry.Touch(c, 1));
        }
        string[] rows = File.ReadAllLines(Path.Combine(dir, RunRecords.WorkersFileName));
        Assert.Equal(["joined,0,1", "joined,1,1", "lost,0,1", "joined,0,2"], rows.Skip(1).Select(r => string.Join(',', r.Split(',')[1..4])));
    }

    [Fact]
    public void AReplacementTakesTheSlotItAsksFor_AndGenerationsSurviveACheckpoint()
    {
        string dir = Directory.CreateTempSubdirectory("robotbridge-dist-").FullName;
        using var records = new RunRecords(dir, null);
        var registry = new WorkerRegistry(1, TimeSpan.FromSeconds(30), records);
        registry.Join(new JoinRequest("a", 3, 100));
        registry.ProcessExited(3, 100, 137);
        var (replacement, _) = registry.Join(new JoinRequest("a2", 3, 200));
        Assert.Equal((3, 2), (replacement.Slot, replacement.Generation));
        var restored = new WorkerRegistry(1, TimeSpan.FromSeconds(30), records);
        restored.RestoreGenerations(registry.Generations());
        Assert.Equal(3, restored.Join(new JoinRequest("a3", 3, 300)).Ticket.Generation);
    }

    [Fact]
    public void ASlotReservedForALocalProcessIsNotGivenToAWorkerAskingForAnySlot_UntilThatProcessJoinsOrExits()
    {
        string dir = Directory.CreateTempSubdirectory("robotbridge-dist-").FullName;
        using var records = new RunRecords(dir, null);
        var registry = new WorkerRegistry(1, TimeSpan.FromSeconds(30), records);
        registry.Reserve(0);
        registry.Reserve(1);
        var (hand, _) = registry.Join(new JoinRequest("hand", -1, 500));
        Assert.Equal(2, hand.Slot); // not 0 or 1: their local processes are still starting
        var (local, _) = registry.Join(new JoinRequest("local-0", 0, 100));
        Assert.Equal((0, 1), (local.Slot, local.Generation));
        Assert.True(registry.Touch(hand, 1)); // nobody took the hand worker's slot from it
        registry.ProcessExited(1, 101, 1); // slot 1's local process died before joining
        var (late, _) = registry.Join(new JoinRequest("late", -1, 501));
        Assert.Equal(1, late.Slot);
    }
}
