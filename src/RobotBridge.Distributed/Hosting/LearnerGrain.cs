using Orleans.Concurrency;
using RobotBridge.Distributed.Contract;
using RobotBridge.Distributed.Learner;

namespace RobotBridge.Distributed.Hosting;

/// <summary>
/// The grain workers call. Reentrant: a submission waits for the learner to catch up (back-pressure),
/// and other workers' calls must not queue behind it. The state lives in the silo's
/// <see cref="LearnerService"/>, so a grain reactivated after idle collection loses nothing.
/// </summary>
[Reentrant]
internal sealed class LearnerGrain(LearnerService learner) : Grain, ILearnerGrain
{
    public Task<WorkerAssignment> JoinAsync(JoinRequest request) => learner.JoinAsync(request);

    public Task<SubmitReply> SubmitAsync(WorkerTicket worker, EpisodeRecord[] episodes) => learner.SubmitAsync(worker, episodes);
}
