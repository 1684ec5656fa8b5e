using System.Text.Json;

namespace RobotBridge.Gym.Wrappers;

/// <summary>
/// Running per-element mean and variance (parallel algorithm of Chan et al., as Gymnasium's
/// RunningMeanStd). Starts at mean 0, variance 1, count 1e-4. Saved and loaded as JSON so the
/// statistics learned in training normalise observations identically at deployment.
/// </summary>
public sealed class RunningMeanStd
{
    private readonly double[] _mean;
    private readonly double[] _var;

    public RunningMeanStd(int size, double initialCount = 1e-4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _mean = new double[size];
        _var = new double[size];
        Array.Fill(_var, 1.0);
        Count = initialCount;
    }

    public int Size => _mean.Length;
    public ReadOnlySpan<double> Mean => _mean;
    public ReadOnlySpan<double> Variance => _var;
    public double Count { get; private set; }

    /// <summary>Folds one sample in.</summary>
    public void Update(ReadOnlySpan<double> x)
    {
        if (x.Length != Size)
            throw new ArgumentException($"sample has {x.Length} elements, statistics have {Size}");
        double total = Count + 1;
        for (int i = 0; i < Size; i++)
        {
            double delta = x[i] - _mean[i];
            _mean[i] += delta / total;
            double m2 = _var[i] * Count + delta * delta * Count / total;
            _var[i] = m2 / total;
        }
        Count = total;
    }

    public void Save(Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("count", Count);
        w.WriteStartArray("mean");
        foreach (double m in _mean)
            w.WriteNumberValue(m);
        w.WriteEndArray();
        w.WriteStartArray("var");
        foreach (double v in _var)
            w.WriteNumberValue(v);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public void Save(string path)
    {
        using var f = File.Create(path);
        Save(f);
    }

    /// <summary>Reads statistics written by <see cref="Save(Stream)"/>; errors name the file and field.</summary>
    public static RunningMeanStd Load(Stream stream, string source = "stream")
    {
        try
        {
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            double[] mean = [.. root.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble())];
            double[] var = [.. root.GetProperty("var").EnumerateArray().Select(e => e.GetDouble())];
            double count = root.GetProperty("count").GetDouble();
            if (mean.Length == 0 || mean.Length != var.Length)
                throw new FormatException($"{source}: mean has {mean.Length} elements and var {var.Length}; they must match and be non-empty");
            if (var.Any(v => !(v >= 0) || double.IsInfinity(v)) || mean.Any(m => !double.IsFinite(m)) || !(count > 0))
                throw new FormatException($"{source}: statistics must be finite with var >= 0 and count > 0");
            var rms = new RunningMeanStd(mean.Length, count);
            mean.CopyTo(rms._mean, 0);
            var.CopyTo(rms._var, 0);
            return rms;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"{source}: not a saved RunningMeanStd ({e.Message})", e);
        }
    }

    public static RunningMeanStd Load(string path)
    {
        using var f = File.OpenRead(path);
        return Load(f, path);
    }
}
