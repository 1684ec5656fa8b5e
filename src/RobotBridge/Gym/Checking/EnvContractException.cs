namespace RobotBridge.Gym.Checking;

/// <summary>An env broke a clause of the env contract; <see cref="Contract"/> names the clause
/// (one of <see cref="EnvContracts"/>).</summary>
public sealed class EnvContractException(string contract, string message) : Exception($"[{contract}] {message}")
{
    public string Contract { get; } = contract;
}
