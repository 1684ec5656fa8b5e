using RobotBridge.Gym.Wrappers;

namespace RobotBridge.Tests.Gym.Wrappers;

public class NormalizeObservationTests
{
    [Fact]
    public void Running_statistics_match_the_sample_mean_and_variance()
    {
        var rms = new RunningMeanStd(1, initialCount: 1e-12);
        double[] xs = [1, 2, 4, 8, 16];
        foreach (double x in xs)
            rms.Update([x]);
        double mean = xs.Average();
        Assert.Equal(mean, rms.Mean[0], 6);
        Assert.Equal(xs.Select(x => (x - mean) * (x - mean)).Average(), rms.Variance[0], 5);
    }

    [Fact]
    public void Each_observation_is_normalised_by_the_statistics_of_all_observations_so_far()
    {
        using var env = new NormalizeObservation<double, float[]>(new ProbeEnv());
        using var raw = new ProbeEnv();
        var rng = new Random(3);
        var seen = new List<double[]> { raw.Reset(seed: 3).Observation };
        env.Reset(seed: 3);
        double[] normalized = [];
        for (int i = 0; i < 200; i++)
        {
            float[] action = [(float)(rng.NextDouble() * 2 - 1), 0f];
            seen.Add(raw.Step(action).Observation);
            normalized = env.Step(action).Observation;
        }
        for (int k = 0; k < 2; k++)
        {
            double mean = seen.Average(o => o[k]);
            double variance = seen.Average(o => (o[k] - mean) * (o[k] - mean));
            Assert.Equal((seen[^1][k] - mean) / Math.Sqrt(variance + 1e-8), normalized[k], 3);
        }
    }

    [Fact]
    public void Frozen_statistics_saved_and_loaded_give_identical_normalisation()
    {
        using var training = new NormalizeObservation<double, float[]>(new ProbeEnv());
        training.Reset(seed: 1);
        for (int i = 0; i < 100; i++)
            training.Step([0.3f, 0f]);
        training.UpdateRunningMean = false;
        double count = training.Statistics.Count;
        var frozenObs = (double[])training.Step([0.3f, 0f]).Observation.Clone();
        Assert.Equal(count, training.Statistics.Count);

        using var stream = new MemoryStream();
        training.Statistics.Save(stream);
        stream.Position = 0;
        var loaded = RunningMeanStd.Load(stream);
        Assert.Equal(training.Statistics.Mean.ToArray(), loaded.Mean.ToArray());
        Assert.Equal(training.Statistics.Variance.ToArray(), loaded.Variance.ToArray());

        // A deployment env in the same state normalises with the loaded statistics exactly as training did.
        using var deployed = new NormalizeObservation<double, float[]>(new ProbeEnv(), statistics: loaded) { UpdateRunningMean = false };
        deployed.Reset(seed: 1);
        double[] obs = [];
        for (int i = 0; i < 101; i++)
            obs = deployed.Step([0.3f, 0f]).Observation;
        Assert.Equal(frozenObs, obs);
    }

    [Fact]
    public void Loading_garbage_names_the_source()
    {
        using var stream = new MemoryStream("{\"mean\":[1],\"var\":[-1],\"count\":1}"u8.ToArray());
        var e = Assert.Throws<FormatException>(() => RunningMeanStd.Load(stream, "stats.json"));
        Assert.Contains("stats.json", e.Message);
    }
}
