using System.Runtime.InteropServices;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Protocol;

/// <summary>
/// A received frame's own pooled array, offered to the one subscriber that decodes the frame: a large
/// byte string in it (a camera image's data) is taken over (<see cref="PooledArray{T}.Adopt"/>) instead
/// of copied. The receive loop reads a frame too large for its receive buffer straight into a
/// frame-sized array; when a decoder took that array, the loop leaves it to the message and rents
/// another (in a stream of frames, the one the message gave back). Used by one thread at a time.
/// </summary>
internal sealed class FrameDonation
{
    /// <summary>Smaller byte strings are copied: handing a whole frame's array over pays only for large payloads.</summary>
    public const int MinAdoptBytes = 64 * 1024;

    private byte[]? _array;

    /// <summary>True once a decoder took the array offered last; the offer is then over.</summary>
    public bool Taken { get; private set; }

    /// <summary>Offers <paramref name="array"/> (rented from the shared pool) for the next decode.</summary>
    public void Offer(byte[] array)
    {
        _array = array;
        Taken = false;
    }

    /// <summary>Withdraws the offer (the decode is over).</summary>
    public void Withdraw() => _array = null;

    /// <summary>Makes <paramref name="into"/> own the offered array with <paramref name="bytes"/> as its
    /// contents, when <paramref name="bytes"/> lie in that array and are large enough; false otherwise
    /// (the caller copies).</summary>
    public bool TryGive(ReadOnlyMemory<byte> bytes, PooledArray<byte> into)
    {
        if (_array is null || Taken || bytes.Length < MinAdoptBytes
            || !MemoryMarshal.TryGetArray(bytes, out var segment) || !ReferenceEquals(segment.Array, _array))
        {
            return false;
        }
        into.Adopt(_array, segment.Offset, segment.Count);
        Taken = true;
        _array = null;
        return true;
    }
}
