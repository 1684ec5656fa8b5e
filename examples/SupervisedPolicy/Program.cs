// A trained policy on the twin behind the safety supervisor, the way deploy runs it: the policy file
// is checked against the env's spaces before anything moves, and a safety stop ends the run.
// Train one first (robotbridge train FetchReach-v4 --steps 6000 --out runs/reach), then:
//   dotnet run -c Release --project examples/SupervisedPolicy -- runs/reach/policy.rbpolicy
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Deployment;
using RobotBridge.Learning.Policies;
using RobotBridge.Sim.Tasks;
using RobotBridge.Tasks;

if (args.Length != 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: SupervisedPolicy POLICY_FILE (a policy.rbpolicy written by robotbridge train)");
    return 2;
}

var registry = new EnvRegistry();
FetchEnvs.Register(registry, new FetchBodyProviders(new SimFetchBodyProvider()));
using var policy = PolicyFile.Load(args[0]);

// safety=true puts the supervisor (limits, retiming, workspace, staleness, latched e-stop) in front of
// the twin; the policy keeps the env options it was trained with (e.g. arm_motion=streamed).
var options = policy.Spec.EnvOptions().With(SimFetchBodyProvider.SafetyOption, "true");
using var env = registry.Make<DictValue, float[]>(policy.Spec.EnvId, options);
var result = PolicyDeployment.Run(policy, env, policy.Spec.EnvId, episodes: 5, seed: 1);
Console.WriteLine($"{result.Successes}/{result.Episodes} episodes succeeded in {result.Steps} steps; stopped by: {result.StoppedBy ?? "nothing"}");
return 0;
