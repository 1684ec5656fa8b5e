namespace RobotBridge.Distributed.Hosting;

/// <summary>Orleans cluster and service ids of a training cluster: a worker's client must name the same
/// ones as the learner's silo to be let in (an id, not a secret).</summary>
internal static class ClusterNames
{
    public const string ClusterId = "robotbridge-train";
    public const string ServiceId = "robotbridge";

    /// <summary>How long a call may wait for its answer: a submission waits while the learner evaluates
    /// at a checkpoint, which takes far longer than Orleans' 30 s default on a busy machine.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(10);
}
