using RobotBridge.Robots;
using RobotBridge.Sim.Camera;
using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// The body's head camera (the Carmine): renders the world offscreen at its own rate in sim time and
/// hands the newest frame over. Off until configured; rendering is the twin's most expensive part.
/// </summary>
/// <remarks><see cref="Configure"/> takes the world's lock; <see cref="RenderIfDue"/> and
/// <see cref="RenderNow"/> expect the caller to hold it. Frames are handed over under a lock of their
/// own, so a reader never waits for a physics step.</remarks>
internal sealed class TwinHeadCamera : IDisposable
{
    private readonly TwinWorld _world;
    private readonly object _frameGate = new();
    private OffscreenRenderer? _renderer;
    private HeadCameraOptions _options = HeadCameraOptions.Off;
    private CameraFrame? _latestFrame;
    private long _nextFrameTicks;

    public TwinHeadCamera(TwinWorld world)
    {
        _world = world;
        Id = world.Model.RequireId(MjObject.Camera, SceneNames.HeadCamera);
    }

    /// <summary>MuJoCo id of the camera (domain randomisation jitters it).</summary>
    public int Id { get; }

    /// <summary>Turns the camera on, off, or to another resolution/rate.</summary>
    public void Configure(HeadCameraOptions camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        camera.Validate();
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
        lock (_frameGate)
        {
            _latestFrame?.Dispose();
            _latestFrame = null;
        }
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
        if (_renderer is not null && ticks >= _nextFrameTicks)
        {
            Render();
        }
    }

    /// <summary>A frame of the world as it is now, if the camera is on (after a restore: the restored
    /// scene, not the last frame of the previous episode).</summary>
    public void RenderNow()
    {
        if (_renderer is not null)
        {
            Render();
        }
    }

    private void Render()
    {
        long ticks = _world.Steps * TwinWorld.StepTicks;
        long period = (long)(TimeSpan.TicksPerSecond / _options.Rate);
        long epoch = _world.EpochStep * TwinWorld.StepTicks; // frames keep their phase relative to the last Reset/Restore
        _nextFrameTicks = epoch + ((ticks - epoch) / period + 1) * period;
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

    /// <summary>Frees the renderer and the frame not taken.</summary>
    public void Dispose()
    {
        lock (_world.Gate)
        {
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
