using System.Buffers.Binary;
using System.Text;
using RobotBridge.Recording.Messages;

namespace RobotBridge.Recording.Bag;

/// <summary>One message read from a bag. <see cref="Data"/> is the serialized message.</summary>
public readonly record struct BagMessage(BagConnection Connection, RosTime Time, ReadOnlyMemory<byte> Data);

/// <summary>
/// Reads ROS bag 2.0 files with uncompressed chunks: the ones <see cref="BagWriter"/> writes and
/// <c>rosbag record</c> writes by default. Messages come back in file order (chunk by chunk), which
/// for a recorder writing in time order is time order. Bags left unindexed by a crash (index_pos 0)
/// are read too, by scanning their chunks. bz2/lz4 chunks are refused with a clear error.
/// </summary>
public sealed class BagReader : IDisposable
{
    private readonly Stream _stream;
    private readonly string _name;
    private readonly long _firstRecord;
    private readonly Dictionary<int, BagConnection> _connections = [];

    private BagReader(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
        byte[] magic = new byte[BagFormat.Magic.Length];
        if (ReadFully(magic) != magic.Length || Encoding.ASCII.GetString(magic) != BagFormat.Magic)
        {
            throw new BagFormatException($"{name}: not a ROS bag 2.0 file (it does not start with '#ROSBAG V2.0')");
        }
        var header = ReadRecord(out _);
        string where = $"{name} bag header";
        if (BagRecordHeader.Op(header, where) != BagFormat.OpBagHeader)
        {
            throw new BagFormatException($"{where}: first record is op {BagRecordHeader.Op(header, where)}, expected the bag header (3)");
        }
        IndexPosition = (long)BagRecordHeader.UInt64(header, "index_pos", where);
        ChunkCount = (int)BagRecordHeader.UInt32(header, "chunk_count", where);
        _firstRecord = _stream.Position;

        if (IndexPosition > 0)
        {
            ReadIndexSection();
        }
        else
        {
            // Unindexed (the writer never closed): collect connections from the chunks themselves.
            foreach (var _ in ReadMessages())
            {
            }
        }
    }

    public static BagReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16), path);

    public static BagReader Open(Stream stream, string name = "bag") => new(stream, name);

    /// <summary>Byte offset of the index section; 0 when the bag was never closed properly.</summary>
    public long IndexPosition { get; }

    public int ChunkCount { get; }

    public IReadOnlyCollection<BagConnection> Connections => _connections.Values;

    public BagConnection? FindConnection(string topic) =>
        _connections.Values.FirstOrDefault(c => c.Topic == topic);

    /// <summary>Every message in file order; pass <paramref name="topics"/> to keep only those.</summary>
    public IEnumerable<BagMessage> ReadMessages(IReadOnlySet<string>? topics = null)
    {
        _stream.Position = _firstRecord;
        while (_stream.Position < _stream.Length)
        {
            long recordStart = _stream.Position;
            var header = ReadRecord(out byte[]? data, skipDataUnlessChunk: true);
            string where = $"{_name} record at byte {recordStart}";
            byte op = BagRecordHeader.Op(header, where);
            if (op == BagFormat.OpConnection || op == BagFormat.OpChunkInfo)
            {
                break; // the index section begins
            }
            if (op != BagFormat.OpChunk)
            {
                continue; // index data records: the reader does not need them
            }
            string compression = BagRecordHeader.Text(header, "compression", where);
            if (compression != BagFormat.CompressionNone)
            {
                throw new BagFormatException($"{where}: chunk compression '{compression}' is not supported; run 'rosbag decompress' first");
            }
            long resume = _stream.Position;
            foreach (BagMessage message in ReadChunk(data!, recordStart, topics))
            {
                yield return message;
            }
            _stream.Position = resume;
        }
    }

    private IEnumerable<BagMessage> ReadChunk(byte[] chunk, long chunkPosition, IReadOnlySet<string>? topics)
    {
        int position = 0;
        while (position < chunk.Length)
        {
            string where = $"{_name} chunk at byte {chunkPosition}, offset {position}";
            int headerLength = ReadLength(chunk, ref position, where);
            var header = BagRecordHeader.Parse(chunk.AsSpan(position, headerLength), where);
            position += headerLength;
            int dataLength = ReadLength(chunk, ref position, where);
            var data = new ReadOnlyMemory<byte>(chunk, position, dataLength);
            position += dataLength;

            byte op = BagRecordHeader.Op(header, where);
            if (op == BagFormat.OpConnection)
            {
                AddConnection(header, data.Span, where);
            }
            else if (op == BagFormat.OpMessageData)
            {
                int id = (int)BagRecordHeader.UInt32(header, "conn", where);
                if (!_connections.TryGetValue(id, out BagConnection? connection))
                {
                    throw new BagFormatException($"{where}: message on connection {id}, which no connection record declares");
                }
                if (topics is null || topics.Contains(connection.Topic))
                {
                    yield return new BagMessage(connection, BagRecordHeader.Time(header, "time", where), data);
                }
            }
        }
    }

    private void ReadIndexSection()
    {
        _stream.Position = IndexPosition;
        while (_stream.Position < _stream.Length)
        {
            long recordStart = _stream.Position;
            string where = $"{_name} index record at byte {recordStart}";
            var header = ReadRecord(out byte[]? data);
            if (BagRecordHeader.Op(header, where) == BagFormat.OpConnection)
            {
                AddConnection(header, data, where);
            }
        }
    }

    private void AddConnection(Dictionary<string, byte[]> header, ReadOnlySpan<byte> data, string where)
    {
        int id = (int)BagRecordHeader.UInt32(header, "conn", where);
        if (_connections.ContainsKey(id))
        {
            return;
        }
        var fields = BagRecordHeader.Parse(data, where + " connection header");
        _connections[id] = new BagConnection(
            id,
            BagRecordHeader.Text(header, "topic", where),
            BagRecordHeader.Text(fields, "type", where),
            BagRecordHeader.Text(fields, "md5sum", where),
            BagRecordHeader.Text(fields, "message_definition", where),
            fields.TryGetValue("callerid", out byte[]? caller) ? Encoding.UTF8.GetString(caller) : "",
            fields.TryGetValue("latching", out byte[]? latching) && latching is [(byte)'1']);
    }

    private Dictionary<string, byte[]> ReadRecord(out byte[]? data, bool skipDataUnlessChunk = false)
    {
        long start = _stream.Position;
        string where = $"{_name} record at byte {start}";
        byte[] headerBytes = new byte[ReadStreamLength(where)];
        if (ReadFully(headerBytes) != headerBytes.Length)
        {
            throw new BagFormatException($"{where}: file ends inside a record header");
        }
        var header = BagRecordHeader.Parse(headerBytes, where);
        int dataLength = ReadStreamLength(where);
        bool wanted = !skipDataUnlessChunk || BagRecordHeader.Op(header, where) == BagFormat.OpChunk;
        if (!wanted)
        {
            _stream.Position += dataLength;
            data = null;
            return header;
        }
        data = new byte[dataLength];
        if (ReadFully(data) != dataLength)
        {
            throw new BagFormatException($"{where}: file ends inside the record data ({dataLength} bytes expected)");
        }
        return header;
    }

    private int ReadStreamLength(string where)
    {
        Span<byte> raw = stackalloc byte[4];
        if (ReadFully(raw) != 4)
        {
            throw new BagFormatException($"{where}: file ends inside a length field");
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(raw);
        if (length < 0 || length > _stream.Length - _stream.Position)
        {
            throw new BagFormatException($"{where}: length {length} runs past the end of the file");
        }
        return length;
    }

    private static int ReadLength(byte[] chunk, ref int position, string where)
    {
        if (chunk.Length - position < 4)
        {
            throw new BagFormatException($"{where}: chunk ends inside a length field");
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(position));
        position += 4;
        if (length < 0 || length > chunk.Length - position)
        {
            throw new BagFormatException($"{where}: length {length} runs past the end of the chunk");
        }
        return length;
    }

    private int ReadFully(Span<byte> target)
    {
        int total = 0;
        while (total < target.Length)
        {
            int read = _stream.Read(target[total..]);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    public void Dispose() => _stream.Dispose();
}
