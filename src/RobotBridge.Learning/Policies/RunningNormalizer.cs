using RobotBridge.Learning.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Policies;

/// <summary>
/// Per-dimension running mean and variance of observations, kept as module buffers so that they
/// travel inside the policy file: deployment normalises exactly as training did.
/// Normalised value = clamp((x − mean) / max(sqrt(var + eps), minStd), ±clip).
/// </summary>
/// <remarks>The floor on the standard deviation (0.01 in the OpenAI baselines' HER) keeps an input
/// that hardly varies, such as the jitter of a blocked gripper's fingers, from being blown up into
/// unit-scale noise.</remarks>
/// <remarks>Statistics are accumulated in double precision on the CPU side (Chan's parallel
/// update) and copied into the float32 buffers after each update.</remarks>
public sealed class RunningNormalizer : nn.Module<Tensor, Tensor>
{
    private const double Epsilon = 1e-8;
    private readonly Tensor mean;
    private readonly Tensor var;
    private readonly Tensor count;
    private readonly double _clip;
    private readonly double _minStd;
    private readonly double[] _mean;
    private readonly double[] _var;
    private double _count;

    public RunningNormalizer(string name, int size, double clip = 5.0, double minStd = 0.0) : base(name)
    {
        if (!(minStd >= 0) || double.IsInfinity(minStd)) throw new ArgumentOutOfRangeException(nameof(minStd), $"minimum standard deviation must be a finite number ≥ 0, got {minStd}");
        Size = size;
        _clip = clip;
        _minStd = minStd;
        _mean = new double[size];
        _var = Enumerable.Repeat(1.0, size).ToArray();
        mean = zeros(size);
        var = ones(size);
        count = zeros(1, dtype: float64);
        RegisterComponents();
    }

    public int Size { get; }

    /// <summary>Number of samples folded in so far.</summary>
    public double Count => _count;

    /// <summary>Folds <paramref name="rows"/> samples (row-major, <see cref="Size"/> each) into the statistics.</summary>
    public void Update(ReadOnlySpan<float> samples, int rows)
    {
        if (rows == 0) return;
        if (samples.Length < rows * Size) throw new ArgumentException($"expected {rows * Size} values, got {samples.Length}");
        for (int d = 0; d < Size; d++)
        {
            double batchMean = 0;
            for (int r = 0; r < rows; r++) batchMean += samples[r * Size + d];
            batchMean /= rows;
            double batchM2 = 0;
            for (int r = 0; r < rows; r++)
            {
                double dev = samples[r * Size + d] - batchMean;
                batchM2 += dev * dev;
            }
            double total = _count + rows;
            double delta = batchMean - _mean[d];
            double m2 = (_count > 0 ? _var[d] * _count : 0) + batchM2 + delta * delta * _count * rows / total;
            _mean[d] += delta * rows / total;
            _var[d] = m2 / total;
        }
        _count += rows;
        PushToBuffers();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var normalised = ((x - mean) / var.Plus(Epsilon).sqrt().AtLeast(_minStd)).Clamped(-_clip, _clip);
        return normalised.MoveToOuterDisposeScope();
    }

    /// <summary>Re-reads the CPU-side statistics from the buffers (after loading a state dict).</summary>
    public void PullFromBuffers()
    {
        float[] m = mean.data<float>().ToArray(), v = var.data<float>().ToArray();
        for (int d = 0; d < Size; d++) { _mean[d] = m[d]; _var[d] = v[d]; }
        _count = count.data<double>()[0];
    }

    private void PushToBuffers()
    {
        using (no_grad())
        {
            using var newMean = tensor(_mean.Select(v => (float)v).ToArray());
            using var newVar = tensor(_var.Select(v => (float)v).ToArray());
            mean.copy_(newMean);
            var.copy_(newVar);
            count.FillInPlace(_count);
        }
    }
}
