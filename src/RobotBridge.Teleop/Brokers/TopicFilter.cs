namespace RobotBridge.Teleop.Brokers;

/// <summary>MQTT topic filter matching, for access rules.</summary>
internal static class TopicFilter
{
    /// <summary>True when the concrete <paramref name="topic"/> matches <paramref name="filter"/>.</summary>
    public static bool Matches(string filter, string topic)
    {
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            return false;
        }
        return Covers(filter, topic);
    }

    /// <summary>True when every topic <paramref name="requested"/> can match is also matched by
    /// <paramref name="allowed"/> (a subscription must not reach beyond what is allowed).</summary>
    public static bool Covers(string allowed, string requested)
    {
        string[] a = allowed.Split('/');
        string[] r = requested.Split('/');
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == "#")
            {
                return true;
            }
            if (i >= r.Length)
            {
                return false;
            }
            if (r[i] == "#")
            {
                return false;
            }
            if (a[i] == "+")
            {
                continue;
            }
            if (r[i] == "+" || !string.Equals(a[i], r[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return r.Length == a.Length;
    }
}
