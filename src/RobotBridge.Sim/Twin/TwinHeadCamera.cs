using RobotBridge.Robots;
using RobotBridge.Sim.Camera;
using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// The body's head camera (the Carmine): renders the world offscreen at its own rate in sim time and
/// hands the newest frame over. Off until configured; rendering is the twin's most expensive part.
/// In lockstep the frame is rendered inside the physics step that makes it due, so a stepped episode
/// sees exactly the frames its seed gives (training, determinism). In real time a
/// <see cref="CameraRenderWorker"/> renders it on its own lower-priority thread, holding the world only
/// to copy the scene out, so the physics and the joint state never wait for a frame.
/// </summary>
/// <remarks><see cref="Configure"/> and <see cref="Dispose"/> take the world's lock themselves (the caller
/// must not hold it); <see cref="RenderIfDue"/> and <see cref="RenderNow"/> expect the caller to hold it.
/// Frames are handed over under a lock of their own, so a reader never waits for a physics step.</remarks>
internal sealed class TwinHeadCamera : IDisposable
{
    private readonly TwinWorld _world;
    private readonly bool _renderOnOwnThread;
    private readonly object _frameGate = new();
    private OffscreenRenderer? _renderer;
    private CameraRenderWorker? _worker;
    private HeadCameraOptions _options = HeadCameraOptions.Off;
    private CameraFrame? _latestFrame;
    private long _nextFrameTicks;
    private long _generation;

    /// <param name="renderOnOwnThread">Real time: render on a <see cref="CameraRenderWorker"/>; lockstep: inside the step.</param>
    public TwinHeadCamera(TwinWorld world, bool renderOnOwnThread)
    {
        _world = world;
        _renderOnOwnThread = renderOnOwnThread;
        Id = world.Model.RequireId(MjObject.Camera, SceneNames.HeadCamera);
    }

    /// <summary>MuJoCo id of the camera (domain randomisation jitters it).</summary>
    public int Id { get; }

    /// <summary>Turns the camera on, off, or to another resolution/rate.</summary>
    public void Configure(HeadCameraOptions camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        camera.Validate();
        if (_renderOnOwnThread)
        {
            // Made before it is published under the world's lock: the physics step only ever sees a ready worker.
            var worker = _worker ?? (camera.Enabled ? new CameraRenderWorker(_world, () => Volatile.Read(ref _generation), Deliver) : null);
            try
            {
                worker?.Configure(camera);
            }
            catch
            {
                if (worker != _worker)
                {
                    worker?.Dispose();
                }
                throw;
            }
            lock (_world.Gate)
            {
                _worker = worker;
                _options = camera;
                _nextFrameTicks = _world.SimTime.Ticks;
            }
        }
        else
        {
            lock (_world.Gate)
            {
                _renderer?.Dispose();
                _renderer = null;
                _options = camera;
                if (camera.Enabled)
                {
                    _renderer = new OffscreenRenderer(_world.Model, SceneNames.HeadCamera, camera.Width, camera.Height);
                    _nextFrameTicks = _world.SimTime.Ticks;
                }
            }
        }
        ForgetFrames();
    }

    /// <summary>The newest frame not yet taken, or null; the caller owns it.</summary>
    public CameraFrame? TryTakeFrame()
    {
        lock (_frameGate)
        {
            CameraFrame? frame = _latestFrame;
            _latestFrame = null;
            return frame;
        }
    }

    /// <summary>After a physics step: a frame when one is due at the camera's rate.</summary>
    public void RenderIfDue(long ticks)
    {
        if (!_options.Enabled || ticks < _nextFrameTicks)
        {
            return;
        }
        if (_worker is not null)
        {
            ScheduleAfter(ticks);
            _worker.Snapshot(_world.Data, ticks, Volatile.Read(ref _generation), orWhenIdle: false);
        }
        else if (_renderer is not null)
        {
            Render();
        }
    }

    /// <summary>A frame of the world as it is now, if the camera is on (after a restore or a placed object:
    /// the new scene, never the last frame of the one before). On the render thread, the frame of the old
    /// scene is dropped at once and the new one follows when drawn.</summary>
    public void RenderNow()
    {
        if (_worker is not null && _options.Enabled)
        {
            long ticks = _world.Steps * TwinWorld.StepTicks;
            ScheduleAfter(ticks);
            ForgetFrames();
            _worker.Snapshot(_world.Data, ticks, Volatile.Read(ref _generation), orWhenIdle: true);
        }
        else if (_renderer is not null)
        {
            Render();
        }
    }

    /// <summary>Drops the frame waiting to be taken and any frame being drawn of the scene as it was.</summary>
    private void ForgetFrames()
    {
        lock (_frameGate)
        {
            Interlocked.Increment(ref _generation);
            _latestFrame?.Dispose();
            _latestFrame = null;
        }
    }

    /// <summary>A frame from the render thread: kept unless the scene changed after its snapshot.</summary>
    private void Deliver(CameraFrame frame, long generation)
    {
        lock (_frameGate)
        {
            if (generation != _generation)
            {
                frame.Dispose();
                return;
            }
            _latestFrame?.Dispose();
            _latestFrame = frame;
        }
    }

    /// <summary>The next frame is due one period after the last, in phase with the last Reset/Restore.</summary>
    private void ScheduleAfter(long ticks)
    {
        long period = (long)(TimeSpan.TicksPerSecond / _options.Rate);
        long epoch = _world.EpochStep * TwinWorld.StepTicks;
        _nextFrameTicks = epoch + ((ticks - epoch) / period + 1) * period;
    }

    private void Render()
    {
        long ticks = _world.Steps * TwinWorld.StepTicks;
        ScheduleAfter(ticks);
        var frame = new CameraFrame(_options.Width, _options.Height, TimeSpan.FromTicks(ticks), _options.Depth);
        try
        {
            _renderer!.Render(_world.Data, frame.Rgb, _options.Depth ? frame.Depth : Span<float>.Empty);
        }
        catch (Exception e) when (e is MuJoCoUnavailableException or InvalidOperationException)
        {
            // A broken GL context must not take the physics (and the control loop on it) down: the
            // camera goes dark, which the supervisor's stale-camera bound sees, and the fault is reported.
            frame.Dispose();
            _renderer?.Dispose();
            _renderer = null;
            _world.Report(new TwinFault(_world.SimTime, $"head camera disabled: {e.Message}"));
            return;
        }
        lock (_frameGate)
        {
            _latestFrame?.Dispose();
            _latestFrame = frame;
        }
    }

    /// <summary>Frees the renderer (stopping the render thread) and the frame not taken.</summary>
    public void Dispose()
    {
        _worker?.Dispose();
        lock (_world.Gate)
        {
            _worker = null;
            _renderer?.Dispose();
            _renderer = null;
        }
        lock (_frameGate)
        {
            _latestFrame?.Dispose();
            _latestFrame = null;
        }
    }
}
