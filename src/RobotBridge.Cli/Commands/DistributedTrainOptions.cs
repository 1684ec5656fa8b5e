using System.CommandLine;
using System.Diagnostics;
using System.Net;
using RobotBridge.Distributed;
using RobotBridge.Distributed.Learner;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Training;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// `train … --workers N`: the options of distributed SAC+HER (docs/distributed.md) and the run itself.
/// Kept apart from <see cref="TrainCommand"/> so the single-process path stays as it was.
/// </summary>
internal sealed class DistributedTrainOptions
{
    public Option<int?> Workers { get; } = new Option<int?>("--workers") { Description = "Distributed SAC+HER: the learner runs here and starts this many worker processes on this machine (0: none, workers join with robotbridge worker); see docs/distributed.md" }.Range(0, 256);
    public Option<int> WorkerEnvs { get; } = new Option<int>("--worker-envs") { Description = "With --workers: twins each local worker steps side by side", DefaultValueFactory = _ => 1 }.Range(1, 64);
    public Option<string> Listen { get; } = new Option<string>("--listen") { Description = "With --workers: address the learner listens on and workers reach it at (default 127.0.0.1: this machine only; give this machine's LAN address for workers elsewhere)", DefaultValueFactory = _ => "127.0.0.1" }.IpAddress();
    public Option<int> Port { get; } = new Option<int>("--port") { Description = "With --workers: the learner's Orleans gateway port (0: a free one, printed at start)", DefaultValueFactory = _ => 0 }.Port(allowAny: true);

    public IEnumerable<Option> All => [Workers, WorkerEnvs, Listen, Port];

    /// <summary>Runs the distributed trainer for a request the train command already checked.</summary>
    public int Run(ParseResult parse, TrainRequest request, TextWriter stdout, CancellationToken cancel)
    {
        int workers = parse.GetValue(Workers)!.Value;
        if (request.Algorithm != "sac-her") throw new CliUsageException($"--workers trains SAC+HER (off-policy, so episodes of older policies are kept); got --algo {request.Algorithm}");
        if (request.Sac.DemonstrationEpisodes > 0) throw new CliUsageException("--workers does not take --demos yet; train with demonstrations in one process");
        var address = IPAddress.Parse(parse.GetValue(Listen)!);
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            throw new CliUsageException($"--listen must be an address workers can reach this machine at (its LAN address or 127.0.0.1), not '{address}': the learner advertises it to them");
        int envs = parse.GetValue(WorkerEnvs);
        var stops = new SupervisorStopTally();
        var distributed = new DistributedTrainRequest
        {
            EnvId = request.EnvId,
            MakeEnv = () => PolicyTraining.MakeTrainingEnv<DictValue>(request, stops),
            EnvSettings = request.EnvSettings,
            Steps = request.Steps,
            OutputDirectory = request.OutputDirectory,
            Seed = request.Seed,
            Threads = request.Threads,
            Sac = request.Sac,
            CheckpointEvery = request.CheckpointEvery,
            EvalEpisodes = request.EvalEpisodes,
            ResumeFrom = request.ResumeFrom,
            Warning = request.Warning,
            ListenAddress = address,
            GatewayPort = parse.GetValue(Port),
        };
        CliEnvironments.EnsureRegistered();
        var result = TrainingConsole.Run(stdout, request.Steps, view =>
            DistributedTraining.TrainAsync(distributed, workers, (slot, gateway) => WorkerStart(slot, gateway, envs), view,
                line => stdout.WriteLine($"robotbridge train: {line}"), cancel).GetAwaiter().GetResult());
        stdout.WriteLine(FormattableString.Invariant(
            $"distributed: {result.Steps} env steps, {result.GradientSteps} gradient steps in {result.Seconds:F1} s ({result.Steps / result.Seconds:F0} env steps/s, {result.GradientSteps / result.Seconds:F0} gradient steps/s), policy version {result.PolicyVersion}, {result.Dropped} late episodes dropped"));
        if (stops.Watching)
            stdout.WriteLine($"learner:    {stops.Stops} in its evaluations (each worker prints its own: workers/slot-S.log)");
        stdout.WriteLine($"episodes:   {Path.Combine(result.LogDirectory, RunRecords.EpisodesFileName)} (worker and policy version of each)");
        stdout.WriteLine($"workers:    {Path.Combine(result.LogDirectory, RunRecords.WorkersFileName)}");
        stdout.WriteLine($"policy:     {result.PolicyPath}");
        stdout.WriteLine($"checkpoint: {result.CheckpointPath}");
        stdout.WriteLine($"curve:      {result.CurvePath}");
        stdout.WriteLine($"next: robotbridge eval {result.PolicyPath} {request.EnvId} --episodes 100");
        return 0;
    }

    /// <summary>This program again, as `worker` for a slot: the installed tool, or `dotnet RobotBridge.Cli.dll` when run that way.</summary>
    internal static ProcessStartInfo WorkerStart(int slot, IPEndPoint gateway, int envs)
    {
        string program = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(program);
        if (string.Equals(Path.GetFileNameWithoutExtension(program), "dotnet", StringComparison.Ordinal))
            info.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (string a in (string[])["worker", "--learner", gateway.ToString(), "--slot", slot.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--envs", envs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", $"local-{slot}"])
            info.ArgumentList.Add(a);
        return info;
    }
}
