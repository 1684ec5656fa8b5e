namespace RobotBridge.Distributed;

/// <summary>A worker could not reach its learner, or lost it mid-run (the message names the address and what failed).</summary>
public sealed class LearnerConnectionException(string message, Exception? inner = null) : Exception(message, inner);
