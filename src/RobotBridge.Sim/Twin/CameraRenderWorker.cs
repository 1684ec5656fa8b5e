using RobotBridge.Control;
using RobotBridge.Robots;
using RobotBridge.Sim.Camera;
using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// Renders the real-time twin's head camera on a thread of its own at a lower CPU priority, as a real
/// robot's camera driver runs beside its joint-state driver. The physics step that makes a frame due copies
/// the scene out of the world (<see cref="OffscreenRenderer.Snapshot"/>, well under a millisecond, under the
/// world's lock it holds anyway), so the frame is of that step and stamped with it, on the camera's grid; the
/// software rasteriser then draws it here (tens of milliseconds on a busy CPU) while the world steps on, so
/// neither the physics nor a reader of the joint state waits for a frame. A frame that comes due while the
/// previous one is still being drawn is dropped: a camera that cannot keep up drops frames, the robot does not slow.
/// </summary>
/// <remarks>The renderer is made, drawn with and freed on this thread only (the step touches it only to copy
/// the scene, while this thread is idle), so the rasteriser's own worker threads, which Mesa llvmpipe starts
/// with its context, inherit the lower priority.</remarks>
internal sealed class CameraRenderWorker : IDisposable
{
    /// <summary>Nice value of the render thread: the camera yields to the threads that keep the joint
    /// state and controllers on time (nice 0) but, at a weight of a third of theirs, still gets its frames
    /// on a loaded machine.</summary>
    private const int Nice = 5;

    private readonly TwinWorld _world;
    private readonly Func<long> _generation;
    private readonly Action<CameraFrame, long> _deliver;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private HeadCameraOptions? _pendingOptions;
    private TaskCompletionSource? _configured;
    private (long Ticks, long Generation)? _draw;
    private bool _snapshotWhenIdle;
    private bool _busy;
    private bool _stopping;

    // Written on the render thread while _busy (so never while the step copies a scene into it).
    private OffscreenRenderer? _renderer;
    private HeadCameraOptions _options = HeadCameraOptions.Off;

    /// <param name="generation">The scene's generation now (read with the world's lock held).</param>
    /// <param name="deliver">Takes each drawn frame with the generation of its snapshot (on the render thread).</param>
    public CameraRenderWorker(TwinWorld world, Func<long> generation, Action<CameraFrame, long> deliver)
    {
        _world = world;
        _generation = generation;
        _deliver = deliver;
        _thread = new Thread(Run) { IsBackground = true, Name = "FetchTwin head camera" };
        _thread.Start();
    }

    /// <summary>Frames that came due while the previous one was still being drawn.</summary>
    public long Dropped { get; private set; }

    /// <summary>Makes the renderer for <paramref name="camera"/> on the render thread (or frees it when off) and
    /// waits for it; a failure (no EGL, no MuJoCo) is thrown here. The caller must not hold the world's lock.</summary>
    public void Configure(HeadCameraOptions camera)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _configured?.TrySetCanceled();
            _pendingOptions = camera;
            _configured = done;
            Monitor.PulseAll(_gate);
        }
        done.Task.GetAwaiter().GetResult();
    }

    /// <summary>
    /// The physics step (holding the world's lock): copies the scene of <paramref name="data"/> as it is now and
    /// hands it to the render thread, stamped <paramref name="ticks"/>. When the previous frame is still being
    /// drawn, the frame is dropped, or with <paramref name="orWhenIdle"/> (the scene changed) taken by the render
    /// thread as soon as it is free. Never waits for a draw.
    /// </summary>
    public void Snapshot(SimData data, long ticks, long generation, bool orWhenIdle)
    {
        lock (_gate)
        {
            if (_stopping || _renderer is null)
            {
                return;
            }
            if (_busy || _draw is not null)
            {
                _snapshotWhenIdle |= orWhenIdle;
                Dropped += orWhenIdle ? 0 : 1;
                return;
            }
            _renderer.Snapshot(data);
            _draw = (ticks, generation);
            Monitor.PulseAll(_gate);
        }
    }

    private void Run()
    {
        _ = BackgroundScheduling.TryLowerCallingThread(Nice); // at normal priority if it cannot: still off the physics' lock
        try
        {
            while (true)
            {
                HeadCameraOptions? configure;
                TaskCompletionSource? configured;
                (long Ticks, long Generation)? draw;
                bool snapshot;
                lock (_gate)
                {
                    while (!_stopping && _pendingOptions is null && _draw is null && !_snapshotWhenIdle)
                    {
                        Monitor.Wait(_gate);
                    }
                    if (_stopping)
                    {
                        _configured?.TrySetCanceled();
                        return;
                    }
                    (configure, configured, draw, snapshot) = (_pendingOptions, _configured, _draw, _snapshotWhenIdle);
                    (_pendingOptions, _configured, _snapshotWhenIdle) = (null, null, false);
                    _busy = true;
                }
                try
                {
                    if (configure is not null)
                    {
                        draw = null; // of the old renderer's scene
                        try
                        {
                            Reconfigure(configure);
                            configured!.TrySetResult();
                        }
                        catch (Exception e)
                        {
                            configured!.TrySetException(e);
                        }
                    }
                    if (draw is null && snapshot)
                    {
                        draw = SnapshotNow();
                    }
                    if (draw is { } d)
                    {
                        Draw(d.Ticks, d.Generation);
                    }
                }
                finally
                {
                    lock (_gate)
                    {
                        _draw = null;
                        _busy = false;
                    }
                }
            }
        }
        finally
        {
            _renderer?.Dispose();
            _renderer = null;
        }
    }

    private void Reconfigure(HeadCameraOptions camera)
    {
        _renderer?.Dispose();
        _renderer = null;
        _options = camera;
        if (camera.Enabled)
        {
            _renderer = new OffscreenRenderer(_world.Model, SceneNames.HeadCamera, camera.Width, camera.Height);
        }
    }

    /// <summary>A scene changed while a frame was being drawn: the render thread copies it itself, stamped now.</summary>
    private (long Ticks, long Generation)? SnapshotNow()
    {
        if (_renderer is null)
        {
            return null;
        }
        lock (_world.Gate)
        {
            if (_world.IsDisposed)
            {
                return null;
            }
            _renderer.Snapshot(_world.Data);
            return (_world.Steps * TwinWorld.StepTicks, _generation());
        }
    }

    private void Draw(long ticks, long generation)
    {
        if (_renderer is not { } renderer)
        {
            return;
        }
        var frame = new CameraFrame(_options.Width, _options.Height, TimeSpan.FromTicks(ticks), _options.Depth);
        try
        {
            renderer.Draw(frame.Rgb, _options.Depth ? frame.Depth : Span<float>.Empty);
        }
        catch (Exception e) when (e is MuJoCoUnavailableException or InvalidOperationException)
        {
            // A broken GL context must not take the twin down: the camera goes dark, which the
            // supervisor's stale-camera bound sees, and the fault is reported.
            frame.Dispose();
            lock (_gate)
            {
                _renderer = null;
            }
            renderer.Dispose();
            lock (_world.Gate)
            {
                _world.Report(new TwinFault(_world.SimTime, $"head camera disabled: {e.Message}"));
            }
            return;
        }
        _deliver(frame, generation);
    }

    /// <summary>Stops the render thread, which frees the renderer. The caller must not hold the world's lock.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }
}
