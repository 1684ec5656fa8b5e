namespace RobotBridge.Distributed.Contract;

/// <summary>
/// The learner as an Orleans grain: workers join it, hand it finished episodes and get newer policy
/// weights back in the reply. Orleans carries, serializes and routes the calls; nothing here is a wire
/// format of this project's own.
/// </summary>
[Alias("RobotBridge.Distributed.ILearnerGrain")]
public interface ILearnerGrain : IGrainWithIntegerKey
{
    /// <summary>Takes a worker slot (the one asked for, or the lowest free one) and returns its seed,
    /// the env to build and the current policy.</summary>
    [Alias("Join")]
    Task<WorkerAssignment> JoinAsync(JoinRequest request);

    /// <summary>Stores a worker's finished episodes. Completes once the learner has taken them in and
    /// caught up with its gradient steps (the back-pressure that keeps the update-to-data ratio), with
    /// the newest policy if the worker's is older.</summary>
    [Alias("Submit")]
    Task<SubmitReply> SubmitAsync(WorkerTicket worker, EpisodeRecord[] episodes);
}

/// <summary>The one learner grain of a run.</summary>
public static class LearnerGrainKey
{
    public const long Value = 0;
}
