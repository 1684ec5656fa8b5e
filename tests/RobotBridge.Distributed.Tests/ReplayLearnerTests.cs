using RobotBridge.Distributed.Learner;
using RobotBridge.Distributed.Worker;
using RobotBridge.Learning.Sac;

namespace RobotBridge.Distributed.Tests;

public sealed class ReplayLearnerTests
{
    [Fact]
    public void OwesOneGradientStepPerEnvStepPastTheWarmUp_AndTakesThem()
    {
        using var env = Twins.Make();
        using var learner = new ReplayLearner(env, "FetchReach-v4", new SacHerConfig { LearningStarts = 70, BatchSize = 32 });
        using var worker = new RolloutWorker(() => Twins.Make(), 2, Twins.Assignment(seed: 11));
        var round = worker.CollectRound();
        Assert.All(round, e => Assert.Null(learner.Problem(e)));
        learner.Ingest(round[0]);
        Assert.Equal(50, learner.Steps);
        Assert.Equal(0, learner.Owed);
        Assert.False(learner.TryGradientStep());
        learner.Ingest(round[1]);
        // Steps 70..100 are past the warm-up of 70: 31 gradient steps owed.
        Assert.Equal(31, learner.Owed);
        Assert.Equal(2, learner.Episodes);
        int taken = 0;
        while (learner.TryGradientStep()) taken++;
        Assert.Equal(31, taken);
        Assert.True(learner.Owed < 1);
        Assert.True(double.IsFinite(learner.Losses["critic"]));
        // The normaliser saw the episodes' states (2 rows per state: with the desired and with the achieved goal).
        Assert.Equal(2 * 2 * 51, learner.Policy.Normalizer.Count);
    }

    [Fact]
    public void RefusesEpisodesOfAnotherShape()
    {
        using var env = Twins.Make();
        using var learner = new ReplayLearner(env, "FetchReach-v4", new SacHerConfig());
        using var worker = new RolloutWorker(() => Twins.Make(), 1, Twins.Assignment(seed: 2));
        var episode = worker.CollectRound()[0];
        Assert.Contains("arrays do not match", learner.Problem(episode with { Observations = new float[3] }));
        Assert.Contains("episode of 0 steps", learner.Problem(episode with { Length = 0 }));
        var wild = (float[])episode.Actions.Clone();
        wild[5] = 3f;
        Assert.Contains("outside [-1, 1]", learner.Problem(episode with { Actions = wild }));
        wild[5] = float.NaN;
        Assert.Contains("outside [-1, 1]", learner.Problem(episode with { Actions = wild }));
    }

    [Fact]
    public void CheckpointKeepsStepsEpisodesOwedStepsAndWhatTheCallerAdds()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("robotbridge-dist-").FullName, "checkpoint.rbckpt");
        using var env = Twins.Make();
        using var worker = new RolloutWorker(() => Twins.Make(), 2, Twins.Assignment(seed: 4));
        var round = worker.CollectRound();
        var config = new SacHerConfig { LearningStarts = 60, BatchSize = 16 };
        using (var learner = new ReplayLearner(env, "FetchReach-v4", config))
        {
            foreach (var e in round) learner.Ingest(e);
            learner.TryGradientStep();
            learner.SaveCheckpoint(path, w => w.Write(42L));
        }
        Assert.Equal(100, ReplayLearner.CheckpointSteps(path));
        using var resumed = new ReplayLearner(env, "FetchReach-v4", config);
        long extra = 0;
        resumed.LoadCheckpoint(path, r => extra = r.ReadInt64());
        Assert.Equal(42, extra);
        Assert.Equal(100, resumed.Steps);
        Assert.Equal(2, resumed.Episodes);
        Assert.Equal(40, resumed.Owed);
        Assert.Equal(1, resumed.Sac.Updates);
    }
}
