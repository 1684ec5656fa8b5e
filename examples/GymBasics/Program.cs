// Gym basics on the MuJoCo twin: make FetchReach-v4, reset with a seed, step with random actions,
// read the goal observation, the reward and info["is_success"], and recompute rewards the way HER does.
// Run: dotnet run -c Release --project examples/GymBasics
using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Sim.Tasks;
using RobotBridge.Tasks;

// The composition root picks the bodies this program can drive: here only the twin.
var registry = new EnvRegistry();
FetchEnvs.Register(registry, new FetchBodyProviders(new SimFetchBodyProvider()));

using var env = registry.Make<DictValue, float[]>("FetchReach-v4");
var (obs, _) = env.Reset(seed: 1);
Console.WriteLine($"observation {obs.Observation().Length} dims, goal {string.Join(", ", obs.DesiredGoal().Select(v => v.ToString("F3")))}");

var actionSpace = (Box<float>)env.ActionSpace;
var rng = new Random(1);
double episodeReturn = 0;
for (int step = 0; ; step++)
{
    float[] action = actionSpace.Sample(rng);
    var (next, reward, terminated, truncated, info) = env.Step(action);
    episodeReturn += reward;
    if (terminated || truncated)
    {
        Console.WriteLine($"episode ended after {step + 1} steps: return {episodeReturn}, success {info.Get(InfoKeys.IsSuccess)}");
        // HER relabels with the goal that was reached: the env's own batched reward function says what
        // the reward would have been (0 = success for the sparse Fetch tasks).
        var goalEnv = (IGoalEnv)env.Unwrapped;
        double[] achieved = next.AchievedGoal();
        var rewards = new double[1];
        goalEnv.ComputeReward(achieved, achieved, [], rewards);
        Console.WriteLine($"reward had the goal been where the gripper ended: {rewards[0]}");
        break;
    }
}
