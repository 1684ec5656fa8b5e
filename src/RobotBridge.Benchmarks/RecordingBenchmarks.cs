using BenchmarkDotNet.Attributes;
using RobotBridge.Recording;
using RobotBridge.Recording.Bag;
using RobotBridge.Robots;

namespace RobotBridge.Benchmarks;

/// <summary>
/// What episode recording costs the control loop: one step (joint state, observation, goals, action,
/// reward, timing) and one VGA RGB-D camera frame, serialized into the bag's chunk and written to a
/// stream that discards the bytes (the file system's cost is one 768 KiB write per full chunk).
/// Run: dotnet run -c Release --project src/RobotBridge.Benchmarks -- --filter '*RecordingBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class RecordingBenchmarks
{
    private readonly RobotState _state = new();
    private readonly double[] _observation = new double[25];
    private readonly double[] _goal = new double[3];
    private readonly double[] _action = new double[4];
    private CameraFrame _frame = null!;
    private DiscardingStream _stream = null!;
    private EpisodeRecorder _recorder = null!;
    private long _step;

    [GlobalSetup]
    public void Setup()
    {
        _frame = new CameraFrame(640, 480, TimeSpan.Zero, withDepth: true);
        _stream = new DiscardingStream();
        _recorder = new EpisodeRecorder(new BagWriter(_stream, leaveOpen: true), DateTimeOffset.UnixEpoch.AddYears(56));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _recorder.Dispose();
        _frame.Dispose();
    }

    [Benchmark(Description = "record one control step (7 messages)")]
    public void RecordStep()
    {
        TimeSpan t = TimeSpan.FromMilliseconds(40 * _step++);
        _state.Stamp = t;
        _recorder.RecordJointState(_state);
        _recorder.RecordObservation(t, _observation);
        _recorder.RecordGoals(t, _goal, _goal);
        _recorder.RecordAction(t, _action);
        _recorder.RecordReward(t, -1.0);
        _recorder.RecordTiming(new StepTiming(t, t, t));
    }

    [Benchmark(Description = "record one 640x480 RGB-D frame")]
    public void RecordCameraFrame()
    {
        _frame.Stamp = TimeSpan.FromMilliseconds(66 * _step++);
        _recorder.RecordCameraFrame(_frame);
    }
}

/// <summary>A seekable stream that counts and drops what is written (a bag writer needs to seek).</summary>
internal sealed class DiscardingStream : Stream
{
    private long _length;

    public override bool CanRead => false;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get; set; }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Position += buffer.Length;
        _length = Math.Max(_length, Position);
    }

    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => Position + offset,
        _ => _length + offset,
    };
    public override void SetLength(long value) => _length = value;
}
