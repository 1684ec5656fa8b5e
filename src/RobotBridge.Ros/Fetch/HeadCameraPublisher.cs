using System.Diagnostics;
using RobotBridge.Control;
using RobotBridge.Robots;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;
using RobotBridge.Ros.Server;

namespace RobotBridge.Ros.Fetch;

/// <summary>
/// Publishes the head camera's frames (RGB, its throttled copy, depth, camera info) on a thread of its own at a
/// lower CPU priority, as the Fetch's camera driver runs beside its joint-state driver: copying and encoding a
/// 640×480 RGB-D frame for each subscriber takes milliseconds, which the node's 100 Hz thread must not spend.
/// The node hands each frame over (<see cref="Post"/>, never blocks); a frame not yet published when a newer
/// one comes is dropped, as a camera driver that cannot keep up drops frames.
/// </summary>
internal sealed class HeadCameraPublisher : IDisposable
{
    /// <summary>Nice value of the publishing thread: yields to the node's thread (nice 0), still gets its share.</summary>
    private const int Nice = 5;

    private readonly FetchNodeOptions _options;
    private readonly LocalPublisher<Image> _rgb;
    private readonly LocalPublisher<Image> _rgbThrottled;
    private readonly LocalPublisher<CameraInfo> _cameraInfo;
    private readonly LocalPublisher<Image> _depth;
    private readonly Image _image = new();
    private readonly Image _depthImage = new();
    private readonly object _gate = new();
    private readonly Thread _thread;
    private CameraFrame? _waiting;
    private bool _stopping;
    private TimeSpan _lastThrottled = TimeSpan.MinValue;

    public HeadCameraPublisher(RosbridgeServer server, FetchNodeOptions options)
    {
        _options = options;
        _rgb = server.AdvertiseLocal<Image>(FetchTopics.RgbImage, bulk: true);
        _rgbThrottled = server.AdvertiseLocal<Image>(FetchTopics.RgbThrottled, bulk: true);
        _cameraInfo = server.AdvertiseLocal<CameraInfo>(FetchTopics.RgbCameraInfo);
        _depth = server.AdvertiseLocal<Image>(FetchTopics.DepthImage, bulk: true);
        _thread = new Thread(Run) { IsBackground = true, Name = "FetchRobotNode head camera" };
        _thread.Start();
    }

    /// <summary>Frames dropped because the previous one was still being published.</summary>
    public long Dropped { get; private set; }

    /// <summary>Takes <paramref name="frame"/> (owning it) to publish on the camera thread.</summary>
    public void Post(CameraFrame frame)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                frame.Dispose();
                return;
            }
            if (_waiting is not null)
            {
                _waiting.Dispose();
                Dropped++;
            }
            _waiting = frame;
            Monitor.PulseAll(_gate);
        }
    }

    private void Run()
    {
        _ = BackgroundScheduling.TryLowerCallingThread(Nice); // at normal priority if it cannot: still off the node's thread
        while (true)
        {
            CameraFrame? frame;
            lock (_gate)
            {
                while (!_stopping && _waiting is null)
                {
                    Monitor.Wait(_gate);
                }
                if (_stopping)
                {
                    return;
                }
                (frame, _waiting) = (_waiting, null);
            }
            using (frame)
            {
                try
                {
                    Publish(frame!);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A frame that cannot be encoded is a lost frame, not a lost camera.
                    Trace.TraceError($"FetchRobotNode camera frame not published: {e}");
                }
            }
        }
    }

    /// <summary>The frame both images and the camera info are expressed in.</summary>
    private const string OpticalFrame = "head_camera_rgb_optical_frame";

    /// <summary>Fills an image's header and layout for <paramref name="frame"/> (the pixels are copied by the caller).</summary>
    private static void Describe(Image image, CameraFrame frame, RosTime stamp, string encoding, int bytesPerPixel)
    {
        image.Header.Stamp = stamp;
        image.Header.FrameId = OpticalFrame;
        image.Width = (uint)frame.Width;
        image.Height = (uint)frame.Height;
        image.Encoding = encoding;
        image.Step = (uint)(frame.Width * bytesPerPixel);
    }

    private void Publish(CameraFrame frame)
    {
        var stamp = RosTime.FromTimeSpan(frame.Stamp);
        bool throttledDue = _rgbThrottled.HasSubscribers && (_lastThrottled == TimeSpan.MinValue
            || frame.Stamp - _lastThrottled >= TimeSpan.FromSeconds(1 / _options.ThrottledCameraRate));
        if (_rgb.HasSubscribers || throttledDue)
        {
            Describe(_image, frame, stamp, "rgb8", bytesPerPixel: 3);
            _image.Data.CopyFrom(frame.Rgb);
            if (_rgb.HasSubscribers)
            {
                _rgb.Publish(_image);
            }
            if (throttledDue)
            {
                _lastThrottled = frame.Stamp;
                _rgbThrottled.Publish(_image);
            }
        }
        if (frame.HasDepth && _depth.HasSubscribers)
        {
            Describe(_depthImage, frame, stamp, "32FC1", bytesPerPixel: 4);
            _depthImage.Data.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(frame.Depth));
            _depth.Publish(_depthImage);
        }
        if (_cameraInfo.HasSubscribers)
        {
            var info = new CameraInfo { Width = (uint)frame.Width, Height = (uint)frame.Height, DistortionModel = "plumb_bob" };
            info.Header.Stamp = stamp;
            info.Header.FrameId = OpticalFrame;
            // Pinhole from the simulated camera's 1.047 rad horizontal field of view (fetch_gazebo).
            double f = frame.Width / 2.0 / Math.Tan(1.047197 / 2);
            info.K[0] = f; info.K[2] = frame.Width / 2.0; info.K[4] = f; info.K[5] = frame.Height / 2.0; info.K[8] = 1;
            info.R[0] = info.R[4] = info.R[8] = 1;
            info.P[0] = f; info.P[2] = frame.Width / 2.0; info.P[5] = f; info.P[6] = frame.Height / 2.0; info.P[10] = 1;
            info.D.Resize(5).Clear();
            _cameraInfo.Publish(info);
        }
    }

    /// <summary>Stops the camera thread and drops the frame not published.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }
            _stopping = true;
            _waiting?.Dispose();
            _waiting = null;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }
}
