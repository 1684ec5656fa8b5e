using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Sac;

namespace RobotBridge.Distributed.Learner;

/// <summary>What a distributed SAC+HER run trains and where its learner listens.</summary>
public sealed record DistributedTrainRequest
{
    public required string EnvId { get; init; }

    /// <summary>Builds one env of <see cref="EnvId"/> with <see cref="EnvSettings"/> (the learner needs one for
    /// spaces and rewards, and one to evaluate on).</summary>
    public required Func<IEnv<DictValue, float[]>> MakeEnv { get; init; }

    public IReadOnlyDictionary<string, string> EnvSettings { get; init; } = new Dictionary<string, string>();
    public required long Steps { get; init; }
    public required string OutputDirectory { get; init; }
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 1;
    public SacHerConfig Sac { get; init; } = new();
    public long CheckpointEvery { get; init; } = 10_000;
    public int EvalEpisodes { get; init; }
    public string? ResumeFrom { get; init; }
    public Action<string>? Warning { get; init; }

    /// <summary>Address the learner's silo and gateway listen on and advertise (127.0.0.1: this machine only).</summary>
    public System.Net.IPAddress ListenAddress { get; init; } = System.Net.IPAddress.Loopback;

    /// <summary>Gateway port workers connect to (0: a free one).</summary>
    public int GatewayPort { get; init; }

    /// <summary>Silo-to-silo port (0: a free one). The learner is the cluster's only silo; it must still bind one.</summary>
    public int SiloPort { get; init; }

    /// <summary>A worker silent for this long loses its slot.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gradient steps between policy versions sent to workers (0: one episode's length).</summary>
    public int PublishEvery { get; init; }
}
