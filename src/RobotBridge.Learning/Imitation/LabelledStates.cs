namespace RobotBridge.Learning.Imitation;

/// <summary>
/// DAgger's aggregated dataset: policy input vectors with the expert's action (in [-1, 1]) for each. A
/// ring: once full, the oldest states make room.
/// </summary>
public sealed class LabelledStates
{
    private readonly float[] _vectors;
    private readonly float[] _labels;
    private int _next;

    public LabelledStates(int capacity, int vectorSize, int actionSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        VectorSize = vectorSize;
        ActionSize = actionSize;
        _vectors = new float[(long)capacity * vectorSize <= int.MaxValue ? capacity * vectorSize : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "dataset too large")];
        _labels = new float[capacity * actionSize];
    }

    public int Capacity { get; }
    public int VectorSize { get; }
    public int ActionSize { get; }
    public int Count { get; private set; }

    public void Add(ReadOnlySpan<float> vector, ReadOnlySpan<float> label)
    {
        vector.CopyTo(_vectors.AsSpan(_next * VectorSize, VectorSize));
        label.CopyTo(_labels.AsSpan(_next * ActionSize, ActionSize));
        _next = (_next + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
    }

    /// <summary>Fills <paramref name="vectors"/> and <paramref name="labels"/> with rows drawn uniformly (with replacement).</summary>
    public void Sample(Random rng, float[] vectors, float[] labels, int rows)
    {
        if (Count == 0) throw new InvalidOperationException("no labelled states to sample");
        for (int r = 0; r < rows; r++)
        {
            int i = rng.Next(Count);
            _vectors.AsSpan(i * VectorSize, VectorSize).CopyTo(vectors.AsSpan(r * VectorSize, VectorSize));
            _labels.AsSpan(i * ActionSize, ActionSize).CopyTo(labels.AsSpan(r * ActionSize, ActionSize));
        }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Capacity);
        writer.Write(VectorSize);
        writer.Write(ActionSize);
        writer.Write(Count);
        writer.Write(_next);
        WriteFloats(writer, _vectors.AsSpan(0, Count * VectorSize));
        WriteFloats(writer, _labels.AsSpan(0, Count * ActionSize));
    }

    public void Read(BinaryReader reader)
    {
        int capacity = reader.ReadInt32(), vectorSize = reader.ReadInt32(), actionSize = reader.ReadInt32();
        if (vectorSize != VectorSize || actionSize != ActionSize)
            throw new InvalidDataException($"the checkpoint's labelled states have {vectorSize} inputs and {actionSize} actions; this run's policy has {VectorSize} and {ActionSize}");
        int count = reader.ReadInt32(), next = reader.ReadInt32();
        if (count < 0 || count > capacity || next < 0 || next >= Math.Max(1, capacity))
            throw new InvalidDataException($"the checkpoint's labelled states are damaged (count {count}, next {next}, capacity {capacity})");
        if (count > Capacity)
            throw new InvalidDataException($"the checkpoint holds {count} labelled states, more than this run keeps ({Capacity})");
        ReadFloats(reader, _vectors.AsSpan(0, count * VectorSize));
        ReadFloats(reader, _labels.AsSpan(0, count * ActionSize));
        Count = count;
        // A smaller ring continues after the last state read; the same ring continues where it was.
        _next = capacity == Capacity ? next : count % Capacity;
    }

    private static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values) =>
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    private static void ReadFloats(BinaryReader reader, Span<float> values)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values);
        if (reader.BaseStream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
            throw new EndOfStreamException("the checkpoint ends inside its labelled states");
    }
}
