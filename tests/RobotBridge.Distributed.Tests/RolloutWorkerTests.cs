using RobotBridge.Distributed.Contract;
using RobotBridge.Distributed.Worker;
using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Training;
using RobotBridge.Safety;
using RobotBridge.Tasks;
using RobotBridge.TestSupport;

namespace RobotBridge.Distributed.Tests;

public sealed class RolloutWorkerTests
{
    [Fact]
    public void SameSeedGivesTheSameEpisodesBitForBit_WithRandomAndWithPolicyActions()
    {
        var assignment = Twins.Assignment(seed: 7);
        var first = Collect(assignment);
        var second = Collect(assignment);
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++) AssertSame(first[i], second[i]);
        // The later rounds acted with the (sampled) policy, not random actions.
        Assert.Equal(0, first[0].PolicyVersion);
        Assert.Equal(1, first[^1].PolicyVersion);
    }

    [Fact]
    public void AnotherSlotsSeedGivesOtherEpisodes()
    {
        var a = Collect(Twins.Assignment(seed: WorkerSeeds.Derive(1, 0, 1)));
        var b = Collect(Twins.Assignment(seed: WorkerSeeds.Derive(1, 1, 1)));
        Assert.NotEqual(a[0].Actions, b[0].Actions);
        Assert.NotEqual(a[0].Observations, b[0].Observations);
    }

    [Fact]
    public void EpisodesHaveTheReplayBuffersLayoutAndUnitActions()
    {
        using var worker = new RolloutWorker(() => Twins.Make(), envCount: 3, Twins.Assignment(seed: 3));
        var round = worker.CollectRound();
        Assert.Equal(3, round.Length);
        Assert.Equal([0, 1, 2], round.Select(e => e.EnvIndex));
        Assert.Equal([0L, 1L, 2L], round.Select(e => e.WorkerEpisode));
        foreach (var e in round)
        {
            Assert.Equal(50, e.Length);
            Assert.Equal(51 * 10, e.Observations.Length);
            Assert.Equal(51 * 3, e.Achieved.Length);
            Assert.Equal(50 * 3, e.Desired.Length);
            Assert.Equal(50 * 4, e.Actions.Length);
            Assert.All(e.Actions, a => Assert.InRange(a, -1f, 1f));
        }
        // Three twins, three different goals.
        Assert.Equal(3, round.Select(e => string.Join(',', e.Desired.Take(3))).Distinct().Count());
    }

    [Fact]
    public void A_worker_on_a_supervised_twin_collects_past_a_safety_stop_as_training_makes_its_envs()
    {
        // As `robotbridge worker` makes its envs (PolicyTraining.MakeTrainingEnv), from this test's registry.
        var stops = new SupervisorStopTally();
        var options = EnvOptions.Default.With(FetchEnvs.TrainingOperatorOption, true);
        using var worker = new RolloutWorker(
            () => new ForcedSafetyStop(TwinStopRecovery.TryWrap(Twins.Registry.Make<DictValue, float[]>("FetchReachDeploy-v1", options), stops), atStep: 10),
            envCount: 1, Twins.Assignment(seed: 3));

        var stopped = worker.CollectRound()[0];
        var next = worker.CollectRound()[0]; // threw "no episode starts until the e-stop latch is reset" before

        Assert.Equal(10, stopped.Length);
        Assert.False(stopped.Success);
        Assert.DoesNotContain(true, stopped.Terminal); // cut, not terminal: stopping is worth nothing to the learner
        Assert.Equal(50, next.Length);
        Assert.Equal(1, stops.Stops.Count);
        Assert.Contains("forced stop", stops.Stops.Last);
    }

    [Fact]
    public void AnOlderOrEqualPolicyVersionIsIgnored()
    {
        var assignment = Twins.Assignment(seed: 5);
        using var worker = new RolloutWorker(() => Twins.Make(), 1, assignment);
        using var policy = PolicyFile.Read(new MemoryStream(assignment.Policy.PolicyFile));
        worker.SetPolicy(Twins.Snapshot(policy, 3));
        Assert.Equal(3, worker.PolicyVersion);
        worker.SetPolicy(Twins.Snapshot(policy, 2));
        Assert.Equal(3, worker.PolicyVersion);
    }

    /// <summary>Two rounds of random warm-up, then two with a policy at version 1 (the untrained policy re-sent).</summary>
    private static List<EpisodeRecord> Collect(WorkerAssignment assignment)
    {
        using var worker = new RolloutWorker(() => Twins.Make(), envCount: 2, assignment);
        var episodes = new List<EpisodeRecord>();
        episodes.AddRange(worker.CollectRound());
        episodes.AddRange(worker.CollectRound());
        worker.SetPolicy(assignment.Policy with { Version = 1 });
        episodes.AddRange(worker.CollectRound());
        episodes.AddRange(worker.CollectRound());
        return episodes;
    }

    private static void AssertSame(EpisodeRecord a, EpisodeRecord b)
    {
        Assert.Equal(a.Length, b.Length);
        Assert.Equal(a.Observations, b.Observations);
        Assert.Equal(a.Achieved, b.Achieved);
        Assert.Equal(a.Desired, b.Desired);
        Assert.Equal(a.Actions, b.Actions);
        Assert.Equal(a.Terminal, b.Terminal);
        Assert.Equal(a.Return, b.Return);
        Assert.Equal(a.PolicyVersion, b.PolicyVersion);
    }
}
