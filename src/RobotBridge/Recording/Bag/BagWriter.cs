using System.Text;
using RobotBridge.Recording.Messages;

namespace RobotBridge.Recording.Bag;

/// <summary>
/// Writes ROS bag 2.0 files (uncompressed chunks) that Debian's <c>rosbag info</c> / <c>rosbag play</c>
/// read. Messages are collected into an in-memory chunk; a full chunk is written in one piece with
/// its index data records. <see cref="Dispose"/> writes the index section and rewrites the bag header
/// in place. A bag that was never disposed (crash, power loss) keeps index_pos = 0 and every chunk
/// written so far: <c>rosbag reindex</c> recovers it.
/// </summary>
/// <remarks>Not thread-safe: one writer thread (the recorder serializes access).</remarks>
public sealed class BagWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly int _chunkThreshold;
    private readonly long _bagHeaderPosition;
    private readonly List<ConnectionEntry> _connections = [];
    private readonly List<ChunkInfo> _chunks = [];

    /// <summary>Chunk data (connection and message data records) of the open chunk.</summary>
    private readonly RosMessageBuffer _chunk = new(64 * 1024);
    /// <summary>Scratch for record headers and index records written straight to the stream.</summary>
    private readonly RosMessageBuffer _scratch = new(4096);
    /// <summary>Per connection id: (time, offset in chunk data) of each message in the open chunk.</summary>
    private readonly List<List<(RosTime Time, uint Offset)>?> _chunkIndex = [];
    private RosTime _chunkStart;
    private RosTime _chunkEnd;
    private int _chunkMessages;
    private bool _disposed;

    /// <param name="stream">A writable, seekable stream positioned where the bag starts.</param>
    /// <param name="chunkThreshold">Chunk data size (bytes) after which the chunk is written out.</param>
    public BagWriter(Stream stream, int chunkThreshold = BagFormat.DefaultChunkThreshold, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite || !stream.CanSeek)
        {
            throw new ArgumentException("a bag needs a writable, seekable stream (the header is rewritten on close)", nameof(stream));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkThreshold);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _chunkThreshold = chunkThreshold;

        _stream.Write(Encoding.ASCII.GetBytes(BagFormat.Magic));
        _bagHeaderPosition = _stream.Position;
        WriteBagHeader(indexPosition: 0);
    }

    /// <summary>Creates (or truncates) <paramref name="path"/>, creating its directory if needed.</summary>
    public static BagWriter Create(string path, int chunkThreshold = BagFormat.DefaultChunkThreshold)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            return new BagWriter(stream, chunkThreshold);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public int ConnectionCount => _connections.Count;

    /// <summary>Number of chunks written so far (the open chunk not counted).</summary>
    public int ChunkCount => _chunks.Count;

    /// <summary>Registers a topic and returns its connection id for <see cref="Write"/>.</summary>
    public int AddConnection(string topic, RosMessageType type, string callerId = "/robotbridge", bool latching = false)
    {
        ThrowIfDisposed();
        ValidateTopic(topic);
        ArgumentNullException.ThrowIfNull(type);
        foreach (ConnectionEntry existing in _connections)
        {
            if (existing.Topic == topic)
            {
                throw new ArgumentException($"topic '{topic}' already has connection {existing.Id} (type {existing.Type.Name})", nameof(topic));
            }
        }
        int id = _connections.Count;
        _connections.Add(new ConnectionEntry(id, topic, type, callerId, latching));
        _chunkIndex.Add(null);
        return id;
    }

    /// <summary>Appends one serialized message on <paramref name="connection"/> received at <paramref name="time"/>.</summary>
    public void Write(int connection, RosTime time, ReadOnlySpan<byte> message)
    {
        ThrowIfDisposed();
        if ((uint)connection >= (uint)_connections.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(connection), connection, $"no such connection; {_connections.Count} are registered");
        }
        ConnectionEntry entry = _connections[connection];
        if (!entry.Recorded)
        {
            // rosbag puts a connection's record into the chunk holding its first message.
            WriteConnectionRecord(_chunk, entry);
            entry.Recorded = true;
        }

        if (_chunkMessages == 0)
        {
            _chunkStart = time;
            _chunkEnd = time;
        }
        else
        {
            if (time < _chunkStart)
            {
                _chunkStart = time;
            }
            if (time > _chunkEnd)
            {
                _chunkEnd = time;
            }
        }
        var index = _chunkIndex[connection] ??= [];
        index.Add((time, (uint)_chunk.Length));
        _chunkMessages++;

        int header = BagRecordHeader.Begin(_chunk);
        BagRecordHeader.Field(_chunk, "op", BagFormat.OpMessageData);
        BagRecordHeader.Field(_chunk, "conn", (uint)connection);
        BagRecordHeader.Field(_chunk, "time", time);
        BagRecordHeader.End(_chunk, header);
        _chunk.WriteUInt32((uint)message.Length);
        _chunk.WriteRaw(message);

        if (_chunk.Length >= _chunkThreshold)
        {
            CloseChunk();
        }
    }

    /// <summary>Writes the open chunk out and flushes the stream, so everything written so far
    /// survives a crash (recoverable with <c>rosbag reindex</c>).</summary>
    public void Flush()
    {
        ThrowIfDisposed();
        CloseChunk();
        _stream.Flush();
    }

    /// <summary>Writes the last chunk, the index section and the final bag header.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        try
        {
            CloseChunk();
            long indexPosition = _stream.Position;
            _scratch.Clear();
            foreach (ConnectionEntry entry in _connections)
            {
                WriteConnectionRecord(_scratch, entry);
            }
            foreach (ChunkInfo chunk in _chunks)
            {
                WriteChunkInfoRecord(_scratch, chunk);
            }
            _stream.Write(_scratch.WrittenSpan);
            long end = _stream.Position;
            _stream.Position = _bagHeaderPosition;
            WriteBagHeader(indexPosition);
            _stream.Position = end;
            _stream.Flush();
        }
        finally
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    private void CloseChunk()
    {
        if (_chunkMessages == 0)
        {
            return;
        }
        long chunkPosition = _stream.Position;
        _scratch.Clear();
        int header = BagRecordHeader.Begin(_scratch);
        BagRecordHeader.Field(_scratch, "op", BagFormat.OpChunk);
        BagRecordHeader.Field(_scratch, "compression", BagFormat.CompressionNone);
        BagRecordHeader.Field(_scratch, "size", (uint)_chunk.Length);
        BagRecordHeader.End(_scratch, header);
        _scratch.WriteUInt32((uint)_chunk.Length);
        _stream.Write(_scratch.WrittenSpan);
        _stream.Write(_chunk.WrittenSpan);

        var counts = new List<(int Connection, uint Count)>();
        _scratch.Clear();
        for (int id = 0; id < _chunkIndex.Count; id++)
        {
            if (_chunkIndex[id] is not { Count: > 0 } entries)
            {
                continue;
            }
            counts.Add((id, (uint)entries.Count));
            int indexHeader = BagRecordHeader.Begin(_scratch);
            BagRecordHeader.Field(_scratch, "op", BagFormat.OpIndexData);
            BagRecordHeader.Field(_scratch, "ver", BagFormat.IndexDataVersion);
            BagRecordHeader.Field(_scratch, "conn", (uint)id);
            BagRecordHeader.Field(_scratch, "count", (uint)entries.Count);
            BagRecordHeader.End(_scratch, indexHeader);
            _scratch.WriteUInt32((uint)(entries.Count * 12));
            foreach (var (time, offset) in entries)
            {
                _scratch.WriteTime(time);
                _scratch.WriteUInt32(offset);
            }
            entries.Clear();
        }
        _stream.Write(_scratch.WrittenSpan);

        _chunks.Add(new ChunkInfo((ulong)chunkPosition, _chunkStart, _chunkEnd, counts));
        _chunk.Clear();
        _chunkMessages = 0;
    }

    private void WriteBagHeader(long indexPosition)
    {
        _scratch.Clear();
        int header = BagRecordHeader.Begin(_scratch);
        BagRecordHeader.Field(_scratch, "op", BagFormat.OpBagHeader);
        BagRecordHeader.Field(_scratch, "index_pos", (ulong)indexPosition);
        BagRecordHeader.Field(_scratch, "conn_count", (uint)_connections.Count);
        BagRecordHeader.Field(_scratch, "chunk_count", (uint)_chunks.Count);
        BagRecordHeader.End(_scratch, header);
        int headerLength = _scratch.Length - 4;
        int padding = BagFormat.BagHeaderPaddedLength - headerLength;
        _scratch.WriteUInt32((uint)padding);
        _scratch.Reserve(padding).Fill((byte)' ');
        _stream.Write(_scratch.WrittenSpan);
    }

    private static void WriteConnectionRecord(RosMessageBuffer buffer, ConnectionEntry entry)
    {
        int header = BagRecordHeader.Begin(buffer);
        BagRecordHeader.Field(buffer, "op", BagFormat.OpConnection);
        BagRecordHeader.Field(buffer, "topic", entry.Topic);
        BagRecordHeader.Field(buffer, "conn", (uint)entry.Id);
        BagRecordHeader.End(buffer, header);

        int data = BagRecordHeader.Begin(buffer);
        BagRecordHeader.Field(buffer, "topic", entry.Topic);
        BagRecordHeader.Field(buffer, "type", entry.Type.Name);
        BagRecordHeader.Field(buffer, "md5sum", entry.Type.Md5Sum);
        BagRecordHeader.Field(buffer, "message_definition", entry.Type.Definition);
        BagRecordHeader.Field(buffer, "callerid", entry.CallerId);
        if (entry.Latching)
        {
            BagRecordHeader.Field(buffer, "latching", "1");
        }
        BagRecordHeader.End(buffer, data);
    }

    private static void WriteChunkInfoRecord(RosMessageBuffer buffer, ChunkInfo chunk)
    {
        int header = BagRecordHeader.Begin(buffer);
        BagRecordHeader.Field(buffer, "op", BagFormat.OpChunkInfo);
        BagRecordHeader.Field(buffer, "ver", BagFormat.ChunkInfoVersion);
        BagRecordHeader.Field(buffer, "chunk_pos", chunk.Position);
        BagRecordHeader.Field(buffer, "start_time", chunk.Start);
        BagRecordHeader.Field(buffer, "end_time", chunk.End);
        BagRecordHeader.Field(buffer, "count", (uint)chunk.Counts.Count);
        BagRecordHeader.End(buffer, header);
        buffer.WriteUInt32((uint)(chunk.Counts.Count * 8));
        foreach (var (connection, count) in chunk.Counts)
        {
            buffer.WriteUInt32((uint)connection);
            buffer.WriteUInt32(count);
        }
    }

    private static void ValidateTopic(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (topic[0] != '/' || topic.EndsWith('/') || topic.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException($"topic '{topic}' must be an absolute ROS name like /episode/action", nameof(topic));
        }
        foreach (char c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '/'))
            {
                throw new ArgumentException($"topic '{topic}' has '{c}'; ROS names allow letters, digits, '_' and '/'", nameof(topic));
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private sealed class ConnectionEntry(int id, string topic, RosMessageType type, string callerId, bool latching)
    {
        public int Id { get; } = id;
        public string Topic { get; } = topic;
        public RosMessageType Type { get; } = type;
        public string CallerId { get; } = callerId;
        public bool Latching { get; } = latching;
        /// <summary>Its connection record is already in some chunk.</summary>
        public bool Recorded { get; set; }
    }

    private sealed record ChunkInfo(ulong Position, RosTime Start, RosTime End, List<(int Connection, uint Count)> Counts);
}
