namespace RobotBridge.Recording.Bag;

/// <summary>
/// Constants of the ROS bag format version 2.0. A file is the magic line, a bag header record
/// padded to 4096 bytes, chunks (each followed by one index data record per connection it holds),
/// then the index section: every connection record, then one chunk info record per chunk. Every
/// record is uint32 header length, header fields ("name=value", each prefixed by its uint32 length),
/// uint32 data length, data.
/// </summary>
public static class BagFormat
{
    public const string Magic = "#ROSBAG V2.0\n";

    /// <summary>The bag header record's header plus its space padding is this many bytes, so it can
    /// be rewritten in place once the index position is known.</summary>
    public const int BagHeaderPaddedLength = 4096;

    public const byte OpMessageData = 0x02;
    public const byte OpBagHeader = 0x03;
    public const byte OpIndexData = 0x04;
    public const byte OpChunk = 0x05;
    public const byte OpChunkInfo = 0x06;
    public const byte OpConnection = 0x07;

    public const uint IndexDataVersion = 1;
    public const uint ChunkInfoVersion = 1;

    public const string CompressionNone = "none";

    /// <summary>rosbag's default chunk threshold (768 KiB of uncompressed chunk data).</summary>
    public const int DefaultChunkThreshold = 768 * 1024;
}
