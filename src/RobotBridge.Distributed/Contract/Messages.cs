namespace RobotBridge.Distributed.Contract;

/// <summary>A worker asking for a slot: <see cref="Slot"/> −1 takes the lowest free one; a local
/// supervisor replacing a dead process asks for that process's slot.</summary>
[GenerateSerializer, Immutable, Alias("RobotBridge.Distributed.JoinRequest")]
public sealed record JoinRequest(
    [property: Id(0)] string Name,
    [property: Id(1)] int Slot,
    [property: Id(2)] int ProcessId);

/// <summary>Who produced a submission: slot and generation (the generation goes up each time a process takes the slot).</summary>
[GenerateSerializer, Immutable, Alias("RobotBridge.Distributed.WorkerTicket")]
public sealed record WorkerTicket(
    [property: Id(0)] int Slot,
    [property: Id(1)] int Generation);

/// <summary>What a worker runs: its ticket, its derived seed, the env and its options, and the policy to start from.</summary>
[GenerateSerializer, Immutable, Alias("RobotBridge.Distributed.WorkerAssignment")]
public sealed record WorkerAssignment(
    [property: Id(0)] WorkerTicket Ticket,
    [property: Id(1)] int Seed,
    [property: Id(2)] string EnvId,
    [property: Id(3)] Dictionary<string, string> EnvSettings,
    [property: Id(4)] double RandomActionProbability,
    [property: Id(5)] PolicySnapshot Policy);

/// <summary>Policy weights at a version: a complete policy file (spec, weights, normaliser, checksum).
/// Version 0 is the untrained policy; workers act uniformly at random until they hold version 1 or later.</summary>
[GenerateSerializer, Immutable, Alias("RobotBridge.Distributed.PolicySnapshot")]
public sealed record PolicySnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] byte[] PolicyFile);

/// <summary>The learner's answer to a submission.</summary>
/// <param name="Accepted">Episodes stored (0 once the run has its steps).</param>
/// <param name="Stop">The worker should end: the run is over, or another process took its slot.</param>
/// <param name="Reason">Why it should stop (empty otherwise).</param>
/// <param name="Policy">A newer policy than the one the worker said it holds, or null.</param>
[GenerateSerializer, Immutable, Alias("RobotBridge.Distributed.SubmitReply")]
public sealed record SubmitReply(
    [property: Id(0)] int Accepted,
    [property: Id(1)] bool Stop,
    [property: Id(2)] string Reason,
    [property: Id(3)] PolicySnapshot? Policy);

/// <summary>
/// One finished episode as a worker saw it, in the replay buffer's layout: observations and achieved
/// goals at steps 0..T, the goal pursued, the [-1, 1] action and the terminal flag at steps 0..T−1.
/// </summary>
[GenerateSerializer, Immutable, Alias("RobotBridge.Distributed.EpisodeRecord")]
public sealed record EpisodeRecord
{
    [Id(0)] public required int Length { get; init; }
    [Id(1)] public required float[] Observations { get; init; }
    [Id(2)] public required double[] Achieved { get; init; }
    [Id(3)] public required double[] Desired { get; init; }
    [Id(4)] public required float[] Actions { get; init; }
    [Id(5)] public required bool[] Terminal { get; init; }
    [Id(6)] public required bool Success { get; init; }
    [Id(7)] public required double Return { get; init; }

    /// <summary>The policy version that chose the actions (0: uniformly random warm-up actions).</summary>
    [Id(8)] public required long PolicyVersion { get; init; }

    /// <summary>This worker process's episode count (from 0), across its sub-envs.</summary>
    [Id(9)] public required long WorkerEpisode { get; init; }

    /// <summary>Which of the worker's sub-envs ran it.</summary>
    [Id(10)] public required int EnvIndex { get; init; }

    /// <summary>Wall time the worker spent stepping envs and choosing actions for this episode's round, in seconds (for the benchmark's per-worker cost).</summary>
    [Id(11)] public double CollectSeconds { get; init; }
}
