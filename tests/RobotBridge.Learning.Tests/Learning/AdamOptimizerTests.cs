using RobotBridge.Learning.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Tests.Learning;

public class AdamOptimizerTests
{
    /// <summary>Two copies of one small network, one stepped by TorchSharp's Adam and one by ours, on the
    /// same losses: the weights stay bit-identical step after step.</summary>
    [Theory]
    [InlineData(1e-3, 1e-8)]
    [InlineData(3e-4, 1e-5)]
    public void Matches_torch_Adam_bit_for_bit(double learningRate, double epsilon)
    {
        TorchRuntime.Configure(seed: 7, threads: 1);
        using var theirs = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3));
        using var ours = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3));
        using (no_grad())
        {
            foreach (var (a, b) in theirs.parameters().Zip(ours.parameters())) b.copy_(a);
        }
        float[] initial = ours.parameters().First().data<float>().ToArray();
        using var reference = optim.Adam(theirs.parameters(), learningRate, eps: epsilon);
        using var adam = new AdamOptimizer(ours.parameters(), learningRate, epsilon: epsilon);

        for (int step = 0; step < 50; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(16, 5);
            var y = randn(16, 3);
            reference.zero_grad();
            nn.functional.mse_loss(theirs.forward(x), y).backward();
            reference.step();
            adam.ZeroGrad();
            nn.functional.mse_loss(ours.forward(x), y).backward();
            adam.Step();
        }

        Assert.Equal(50, adam.Steps);
        foreach (var (a, b) in theirs.parameters().Zip(ours.parameters()))
        {
            Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        }
        Assert.NotEqual(initial, ours.parameters().First().data<float>().ToArray()); // the weights moved: not a comparison of untouched copies
    }

    [Fact]
    public void Leaves_parameters_without_a_gradient_alone_and_rejects_bad_settings()
    {
        using var used = nn.Parameter(ones(3));
        using var unused = nn.Parameter(ones(3));
        using var adam = new AdamOptimizer([used, unused], 0.1);
        (used * used).sum().backward();
        adam.Step();
        Assert.All(used.data<float>().ToArray(), v => Assert.True(v < 1f));
        Assert.Equal([1f, 1f, 1f], unused.data<float>().ToArray());

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer([used], 1e-3, beta2: 1.0));
        Assert.Contains("β₂", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer([used], double.NaN));
    }
}
