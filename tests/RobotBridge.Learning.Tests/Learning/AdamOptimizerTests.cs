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
    public void Its_state_round_trips_so_a_resumed_optimizer_takes_the_same_step()
    {
        using var original = nn.Parameter(tensor(new float[] { 1f, -2f, 0.5f }));
        using var adam = new AdamOptimizer([original], 0.05);
        for (int i = 0; i < 5; i++)
        {
            adam.ZeroGrad();
            (original * original * original).sum().backward();
            adam.Step();
        }
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) adam.Write(writer);

        using var resumedParameter = nn.Parameter(original.detach().clone());
        using var freshParameter = nn.Parameter(original.detach().clone());
        using var resumed = new AdamOptimizer([resumedParameter], 0.05);
        using var fresh = new AdamOptimizer([freshParameter], 0.05);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true)) resumed.Read(reader);
        Assert.Equal(5, resumed.Steps);

        foreach (var (p, opt) in new[] { (original, adam), (resumedParameter, resumed), (freshParameter, fresh) })
        {
            opt.ZeroGrad();
            (p * p * p).sum().backward();
            opt.Step();
        }
        Assert.Equal(original.data<float>().ToArray(), resumedParameter.data<float>().ToArray());
        Assert.NotEqual(original.data<float>().ToArray(), freshParameter.data<float>().ToArray()); // restarting Adam would show

        using var other = nn.Parameter(ones(4));
        using var mismatched = new AdamOptimizer([other], 0.05);
        stream.Position = 0;
        using var again = new BinaryReader(stream);
        var e = Assert.Throws<InvalidDataException>(() => mismatched.Read(again));
        Assert.Contains("3 values", e.Message);
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
