using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Torch;

/// <summary>
/// Adam (Kingma and Ba 2015) in PyTorch's update order, so its numbers are bit for bit those of
/// <c>torch.optim.Adam</c>:
/// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε).
/// </summary>
/// <remarks>Ours rather than TorchSharp's because TorchSharp's turns each of those numbers into a native
/// scalar that a collection on another thread can free during the update (see <see cref="ScalarMath"/>).
/// Here the constant ones live as long as the optimizer and the per-step ones until the step ends.</remarks>
public sealed class AdamOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _firstMoment;
    private readonly Tensor[] _secondMoment;
    private readonly double _learningRate;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly Scalar _beta1Scalar;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _beta2Scalar;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _epsilon;
    private readonly Scalar _one;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate >= 0) || !double.IsFinite(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate must be a finite number ≥ 0");
        if (beta1 is < 0 or >= 1 || double.IsNaN(beta1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β₁ must be in [0, 1)");
        if (beta2 is < 0 or >= 1 || double.IsNaN(beta2)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β₂ must be in [0, 1)");
        if (!(epsilon >= 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be a finite number ≥ 0");
        _parameters = parameters.ToArray();
        _learningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        using (no_grad())
        {
            _firstMoment = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
            _secondMoment = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        }
        _beta1Scalar = beta1.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _beta2Scalar = beta2.ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _epsilon = epsilon.ToScalar();
        _one = 1.ToScalar();
    }

    /// <summary>Updates taken so far (the t of the bias corrections).</summary>
    public long Steps { get; private set; }

    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Steps++;
        double biasCorrection1 = 1 - Math.Pow(_beta1, Steps);
        double biasCorrection2 = 1 - Math.Pow(_beta2, Steps);
        using var negativeStepSize = (-(_learningRate / biasCorrection1)).ToScalar();
        using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var grad = _parameters[i].grad;
            if (grad is null) continue;
            _firstMoment[i].mul_(_beta1Scalar).add_(grad, _oneMinusBeta1);
            _secondMoment[i].mul_(_beta2Scalar).addcmul_(grad, grad, _oneMinusBeta2);
            var denominator = _secondMoment[i].sqrt().div_(sqrtBiasCorrection2).add_(_epsilon, _one);
            _parameters[i].addcdiv_(_firstMoment[i], denominator, negativeStepSize);
        }
    }

    /// <summary>Writes the step count and both moments (for checkpoints: a resumed run continues with
    /// the optimizer where it was, instead of restarting its bias correction with zero moments).</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(Steps);
        writer.Write(_parameters.Length);
        foreach (var moment in _firstMoment.Concat(_secondMoment))
        {
            var values = moment.data<float>().ToArray();
            writer.Write(values.Length);
            foreach (float v in values) writer.Write(v);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote for an optimizer of the same parameter shapes.</summary>
    public void Read(BinaryReader reader)
    {
        long steps = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (count != _parameters.Length)
            throw new InvalidDataException($"saved Adam state is for {count} parameter tensors, this optimizer has {_parameters.Length}");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope(); // holds every temporary tensor until the copies are done
        foreach (var moment in _firstMoment.Concat(_secondMoment))
        {
            int n = reader.ReadInt32();
            if (n != moment.numel())
                throw new InvalidDataException($"saved Adam moment has {n} values, the parameter has {moment.numel()}");
            var values = new float[n];
            for (int i = 0; i < n; i++) values[i] = reader.ReadSingle();
            moment.copy_(tensor(values).view(moment.shape));
        }
        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var t in _firstMoment.Concat(_secondMoment)) t.Dispose();
        _beta1Scalar.Dispose();
        _oneMinusBeta1.Dispose();
        _beta2Scalar.Dispose();
        _oneMinusBeta2.Dispose();
        _epsilon.Dispose();
        _one.Dispose();
    }
}
