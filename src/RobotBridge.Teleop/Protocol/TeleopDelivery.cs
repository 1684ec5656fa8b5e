using MQTTnet;
using MQTTnet.Protocol;

namespace RobotBridge.Teleop.Protocol;

/// <summary>
/// How each kind of teleop message travels: QoS, retain and the MQTT 5 properties. One place, so the
/// operator client, the robot bridge and the README agree.
/// <list type="table">
/// <item><term>heartbeat, motion</term><description>QoS 0 (a retransmitted old command is worse than a
/// lost one; the next one follows within 50 ms), never retained, Message Expiry Interval
/// = ttl rounded up to whole seconds (MQTT's unit) so a broker never delivers a queued stale copy.</description></item>
/// <item><term>e-stop trip</term><description>QoS 1 (must arrive; a duplicate trip is harmless), no expiry
/// (a stop is never too late), not retained (a retained trip would re-trip after every reset).</description></item>
/// <item><term>e-stop reset</term><description>QoS 1, expiry 1 s: a reset delayed past a new trip must not
/// release it.</description></item>
/// <item><term>e-stop state, link</term><description>QoS 1, retained: a late subscriber sees the state at once.</description></item>
/// <item><term>safety events</term><description>QoS 1, not retained (the history, in order).</description></item>
/// <item><term>telemetry</term><description>QoS 0, expiry 1 s: only the latest value matters (the camera JPEG too).</description></item>
/// </list>
/// Every JSON payload is sent with content type <c>application/json</c> and the UTF-8 payload format indicator.
/// </summary>
public static class TeleopDelivery
{
    public const string JsonContentType = "application/json";

    public static MqttApplicationMessage Heartbeat(string topic, byte[] payload) =>
        Json(topic, payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false, expirySeconds: 1);

    public static MqttApplicationMessage Motion(string topic, byte[] payload, int ttlMs) =>
        Json(topic, payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false,
            expirySeconds: (uint)Math.Max(1, (ttlMs + 999) / 1000));

    public static MqttApplicationMessage Trip(string topic, byte[] payload) =>
        Json(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, expirySeconds: 0);

    public static MqttApplicationMessage Reset(string topic, byte[] payload) =>
        Json(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, expirySeconds: 1);

    public static MqttApplicationMessage RetainedState(string topic, byte[] payload) =>
        Json(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, expirySeconds: 0);

    public static MqttApplicationMessage Event(string topic, byte[] payload) =>
        Json(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, expirySeconds: 0);

    public static MqttApplicationMessage Telemetry(string topic, byte[] payload) =>
        Json(topic, payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false, expirySeconds: 1);

    /// <summary>A JPEG camera frame: QoS 0, expiry 1 s, content type image/jpeg, the size and capture
    /// stamp as user properties (the payload stays a plain JPEG any viewer opens).</summary>
    public static MqttApplicationMessage CameraJpeg(string topic, byte[] jpeg, int width, int height, TimeSpan stamp) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(jpeg)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)
            .WithRetainFlag(false)
            .WithMessageExpiryInterval(1)
            .WithContentType("image/jpeg")
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.Unspecified)
            .WithUserProperty("width", Utf8(width.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .WithUserProperty("height", Utf8(height.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .WithUserProperty("stamp_s", Utf8(stamp.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
            .Build();

    private static ReadOnlyMemory<byte> Utf8(string value) => System.Text.Encoding.UTF8.GetBytes(value);

    private static MqttApplicationMessage Json(string topic, byte[] payload, MqttQualityOfServiceLevel qos,
        bool retain, uint expirySeconds)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(retain)
            .WithContentType(JsonContentType)
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData);
        if (expirySeconds > 0)
        {
            builder.WithMessageExpiryInterval(expirySeconds);
        }
        return builder.Build();
    }
}
