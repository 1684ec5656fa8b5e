using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Ppo;

/// <summary>Mean losses of one PPO update, for logging.</summary>
public readonly record struct PpoLosses(double Policy, double Value, double Entropy, double ClipFraction);

/// <summary>
/// The PPO-Clip update (Schulman et al. 2017): several epochs over shuffled minibatches of the
/// valid rollout rows, maximising min(ρ·A, clip(ρ, 1±ε)·A) with ρ = π_new(u|s)/π_old(u|s) on the
/// pre-squash actions u (the tanh correction is the same in both and cancels), plus a value
/// regression and an optional entropy bonus; advantages normalised per minibatch; gradients clipped.
/// </summary>
public sealed class PpoUpdate : IDisposable
{
    private readonly SquashedGaussianPolicy _policy;
    private readonly ValueNetwork _value;
    private readonly PpoConfig _config;
    private readonly AdamOptimizer _optimizer;

    public PpoUpdate(SquashedGaussianPolicy policy, ValueNetwork value, PpoConfig config)
    {
        _policy = policy;
        _value = value;
        _config = config;
        _optimizer = new AdamOptimizer(policy.parameters().Concat(value.parameters()), config.LearningRate, epsilon: 1e-5);
    }

    /// <summary>The policy's and value network's optimizer (checkpoints save it).</summary>
    public AdamOptimizer Optimizer => _optimizer;

    public PpoLosses Run(RolloutBuffer b, Random rng)
    {
        int[] rows = Enumerable.Range(0, b.Rows).Where(i => b.Valid[i]).ToArray();
        if (rows.Length == 0) return default;
        int minibatch = Math.Max(1, rows.Length / _config.Minibatches);
        double policyLoss = 0, valueLoss = 0, entropy = 0, clipped = 0;
        int updates = 0;
        for (int epoch = 0; epoch < _config.Epochs; epoch++)
        {
            rng.Shuffle(rows);
            for (int start = 0; start + minibatch <= rows.Length; start += minibatch)
            {
                using var scope = NewDisposeScope();
                var idx = rows.AsSpan(start, minibatch);
                var vectors = Gather(b.Vectors, idx, b.VectorSize);
                Tensor? images = b.ImageSize == 0 ? null : GatherBytes(b.Images, idx, b.ImageSize, _policy.Spec.Image!);
                var u = Gather(b.PreSquashActions, idx, b.ActionSize);
                var oldLogP = Gather(b.LogProbs, idx, 1).squeeze(1);
                var adv = Gather(b.Advantages, idx, 1).squeeze(1);
                var returns = Gather(b.Returns, idx, 1).squeeze(1);
                adv = (adv - adv.mean()) / adv.std().Plus(1e-8);

                var (mu, logStd) = _policy.forward(vectors, images);
                var logP = SquashedGaussianPolicy.GaussianLogProb(u, mu, logStd);
                var ratio = (logP - oldLogP).exp();
                var surrogate = minimum(ratio * adv, ratio.Clamped(1 - _config.ClipRange, 1 + _config.ClipRange) * adv);
                var pLoss = -surrogate.mean();
                var v = _value.forward(_policy.Normalizer.forward(vectors), images);
                var vLoss = (v - returns).Squared().mean();
                var ent = logStd.Plus(0.5 * (1 + Math.Log(2 * Math.PI))).sum(1).mean();
                var loss = pLoss.Plus(vLoss.Times(_config.ValueCoefficient)) - ent.Times(_config.EntropyCoefficient);

                _optimizer.ZeroGrad();
                loss.backward();
                nn.utils.clip_grad_norm_(_policy.parameters().Concat(_value.parameters()), _config.MaxGradNorm);
                _optimizer.Step();

                policyLoss += pLoss.item<float>();
                valueLoss += vLoss.item<float>();
                entropy += ent.item<float>();
                clipped += ratio.Minus(1).abs().GreaterThan(_config.ClipRange).to_type(ScalarType.Float32).mean().item<float>();
                updates++;
            }
        }
        return new PpoLosses(policyLoss / updates, valueLoss / updates, entropy / updates, clipped / updates);
    }

    private static Tensor Gather(float[] source, ReadOnlySpan<int> rows, int width)
    {
        var data = new float[rows.Length * width];
        for (int r = 0; r < rows.Length; r++) source.AsSpan(rows[r] * width, width).CopyTo(data.AsSpan(r * width, width));
        return tensor(data, rows.Length, width);
    }

    private static Tensor GatherBytes(byte[] source, ReadOnlySpan<int> rows, int width, ImageShape shape)
    {
        var data = new byte[rows.Length * width];
        for (int r = 0; r < rows.Length; r++) source.AsSpan(rows[r] * width, width).CopyTo(data.AsSpan(r * width, width));
        return tensor(data, [rows.Length, shape.Height, shape.Width, shape.Channels]);
    }

    public void Dispose() => _optimizer.Dispose();
}
