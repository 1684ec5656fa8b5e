using RobotBridge.Learning.Torch;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RobotBridge.Learning.Policies;

/// <summary>
/// The deployable policy: observation normaliser, optional CNN encoder, MLP trunk and a Gaussian
/// head whose samples are squashed by tanh into [-1, 1] (then mapped onto the env's action bounds).
/// SAC samples from it; PPO uses the same head (the tanh correction cancels in its ratio);
/// deployment uses the deterministic action tanh(mean).
/// </summary>
public sealed class SquashedGaussianPolicy : Module<Tensor, Tensor?, (Tensor Mean, Tensor LogStd)>
{
    private const double LogStdMin = -20, LogStdMax = 2;

    private readonly RunningNormalizer normalizer;
    private readonly CnnEncoder? cnn;
    private readonly Module<Tensor, Tensor> trunk;
    private readonly Module<Tensor, Tensor> mean;
    private readonly Module<Tensor, Tensor> log_std;

    public SquashedGaussianPolicy(PolicySpec spec) : base("policy")
    {
        Spec = spec;
        normalizer = new RunningNormalizer("normalizer", spec.VectorSize, minStd: spec.NormalizerMinStd);
        int features = spec.VectorSize;
        if (spec.Image is { } image)
        {
            cnn = new CnnEncoder("cnn", image, spec.ImageFeatures);
            features += spec.ImageFeatures;
        }
        trunk = Mlp.Trunk(features, spec.HiddenSizes, out int width);
        mean = Linear(width, spec.ActionSize);
        log_std = Linear(width, spec.ActionSize);
        RegisterComponents();
    }

    public PolicySpec Spec { get; }

    /// <summary>Running statistics of the vector input; updated by the trainer, saved with the weights.</summary>
    public RunningNormalizer Normalizer => normalizer;

    public override (Tensor Mean, Tensor LogStd) forward(Tensor vector, Tensor? image)
    {
        using var scope = NewDisposeScope();
        var x = normalizer.forward(vector);
        if (cnn is not null)
        {
            if (image is null) throw new ArgumentException($"policy '{Spec.EnvId}' reads the camera image '{Spec.ImageKey}', but none was given");
            x = cat([x, cnn.forward(image)], 1);
        }
        var h = trunk.forward(x);
        var mu = mean.forward(h);
        var logStd = log_std.forward(h).Clamped(LogStdMin, LogStdMax);
        return (mu.MoveToOuterDisposeScope(), logStd.MoveToOuterDisposeScope());
    }

    /// <summary>tanh(mean): the action used for evaluation and deployment, in [-1, 1].</summary>
    public Tensor DeterministicAction(Tensor vector, Tensor? image)
    {
        var (mu, logStd) = forward(vector, image);
        logStd.Dispose();
        using (mu) return mu.tanh();
    }

    /// <summary>A reparameterised sample in [-1, 1] and its log-probability (with the tanh correction).</summary>
    public (Tensor Action, Tensor LogProb) Sample(Tensor vector, Tensor? image)
    {
        using var scope = NewDisposeScope();
        var (mu, logStd) = forward(vector, image);
        var std = logStd.exp();
        var u = mu.Plus(std * randn_like(mu));
        var action = u.tanh();
        var logProb = GaussianLogProb(u, mu, logStd) - action.Squared().SubtractedFrom(1).Plus(1e-6).log().sum(1);
        return (action.MoveToOuterDisposeScope(), logProb.MoveToOuterDisposeScope());
    }

    /// <summary>Log-density of pre-squash values <paramref name="u"/>, summed over action dimensions.</summary>
    public static Tensor GaussianLogProb(Tensor u, Tensor mu, Tensor logStd)
    {
        using var scope = NewDisposeScope();
        var z = (u - mu) / logStd.exp();
        var perDim = (z.Squared().Times(-0.5) - logStd).Minus(0.5 * Math.Log(2 * Math.PI));
        return perDim.sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One deterministic action for one observation, written in env units into <paramref name="action"/>.
    /// <paramref name="image"/> is ignored by vector-only policies.
    /// </summary>
    public void Act(ReadOnlySpan<float> vector, ReadOnlySpan<byte> image, Span<float> action)
    {
        if (vector.Length != Spec.VectorSize)
            throw new ArgumentException($"policy expects a vector input of {Spec.VectorSize} values, got {vector.Length}");
        if (action.Length != Spec.ActionSize)
            throw new ArgumentException($"policy writes {Spec.ActionSize} action values, the buffer has {action.Length}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var v = tensor(vector.ToArray(), 1, vector.Length);
        Tensor? img = null;
        if (Spec.Image is { } shape)
        {
            if (image.Length != shape.Size) throw new ArgumentException($"policy expects a {shape.Height}x{shape.Width}x{shape.Channels} image ({shape.Size} bytes), got {image.Length} bytes");
            img = tensor(image.ToArray(), [1, shape.Height, shape.Width, shape.Channels]);
        }
        ReadOnlySpan<float> unit = DeterministicAction(v, img).data<float>().ToArray();
        ToEnvUnits(unit, action);
    }

    /// <summary>Copies weights and normaliser statistics from a policy of the same spec.</summary>
    public void CopyFrom(SquashedGaussianPolicy other)
    {
        if (other.Spec.ToJson() != Spec.ToJson()) throw new ArgumentException("policies have different specs");
        using (no_grad())
        {
            var source = other.state_dict();
            foreach (var (name, target) in state_dict()) target.copy_(source[name]);
        }
        normalizer.PullFromBuffers();
    }

    /// <summary>The inverse of <see cref="ToEnvUnits"/>: env actions (e.g. a demonstrator's) onto [-1, 1], clipped.</summary>
    public void ToUnitActions(ReadOnlySpan<float> action, Span<float> unit)
    {
        for (int i = 0; i < unit.Length; i++)
        {
            float lo = Spec.ActionLow[i], hi = Spec.ActionHigh[i];
            float u = float.IsFinite(lo) && float.IsFinite(hi) ? 2f * (action[i] - lo) / (hi - lo) - 1f : action[i];
            unit[i] = Math.Clamp(u, -1f, 1f);
        }
    }

    /// <summary>Maps [-1, 1] actions onto the env's bounds (infinite bounds pass the value through).</summary>
    public void ToEnvUnits(ReadOnlySpan<float> unit, Span<float> action)
    {
        for (int i = 0; i < action.Length; i++)
        {
            float lo = Spec.ActionLow[i], hi = Spec.ActionHigh[i];
            action[i] = float.IsFinite(lo) && float.IsFinite(hi) ? lo + (unit[i] + 1f) * 0.5f * (hi - lo) : unit[i];
        }
    }
}
