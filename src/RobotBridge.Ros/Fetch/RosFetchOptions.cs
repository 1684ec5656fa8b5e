using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Fetch;

/// <summary>How <see cref="RosFetch"/> reaches a Fetch and which encodings it asks for per topic.</summary>
public sealed record RosFetchOptions(Uri Uri)
{
    public RosDialect Dialect { get; init; } = RosDialect.Ros1;

    /// <summary>JSON by default: rosbridge 1 cannot CBOR-encode JointState's string[] names.</summary>
    public Compression JointStatesCompression { get; init; } = Compression.None;

    /// <summary>CBOR by default: a 640x480 rgb8 frame is 921 600 raw bytes instead of 1.2 MB of base64.
    /// Falls back to JSON if nothing arrives (see <see cref="Client.SubscribeOptions.FallbackToJsonAfter"/>).</summary>
    public Compression CameraCompression { get; init; } = Compression.Cbor;

    /// <summary>Head camera topic: by default <see cref="FetchTopics.RgbThrottled"/>, the stream
    /// launch/head_camera.launch (and <c>robotbridge serve</c>) provide for the bridge; on a robot without
    /// those launch files the camera's own <see cref="FetchTopics.RgbImage"/>; a compressed
    /// (…/compressed, sensor_msgs/CompressedImage) topic; or null for no camera.</summary>
    public string? CameraTopic { get; init; } = FetchTopics.RgbThrottled;

    /// <summary>Optional depth image (16UC1 mm or 32FC1 m) attached to each colour frame.</summary>
    public string? DepthTopic { get; init; }

    /// <summary>Joint states older than this make <see cref="RosFetch.Link"/> report Lost.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Limit on each trajectory/gripper goal beyond its own duration.</summary>
    public TimeSpan GoalSlack { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(2);
}
