namespace RobotBridge.Gym.Spaces;

/// <summary>Gymnasium's <c>flatten_space</c>: the float64 Box that <see cref="Space.FlattenObject"/> writes into.</summary>
public static class SpaceFlattening
{
    /// <summary>A Box of <see cref="Space.FlatDimension"/> doubles whose bounds are the children's
    /// bounds in flattening order (0..1 for one-hot and binary parts).</summary>
    public static Box<double> FlattenSpace(Space space)
    {
        var low = new double[space.FlatDimension];
        var high = new double[space.FlatDimension];
        WriteBounds(space, low, high);
        return new Box<double>(low, high, [low.Length]);
    }

    private static void WriteBounds(Space space, Span<double> low, Span<double> high)
    {
        switch (space)
        {
            case IBoxSpace box:
                for (int i = 0; i < box.Size; i++)
                {
                    low[i] = box.LowAt(i);
                    high[i] = box.HighAt(i);
                }
                break;
            case Discrete or MultiDiscrete or MultiBinary:
                low[..space.FlatDimension].Clear();
                high[..space.FlatDimension].Fill(1.0);
                break;
            case DictSpace dict:
                WriteChildren(dict.Spaces, low, high);
                break;
            case TupleSpace tuple:
                WriteChildren(tuple.Spaces, low, high);
                break;
            default:
                throw new NotSupportedException($"cannot flatten a {space.GetType().Name}");
        }
    }

    private static void WriteChildren(IReadOnlyList<Space> children, Span<double> low, Span<double> high)
    {
        int offset = 0;
        foreach (var child in children)
        {
            WriteBounds(child, low[offset..], high[offset..]);
            offset += child.FlatDimension;
        }
    }
}
