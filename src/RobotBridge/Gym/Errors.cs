namespace RobotBridge.Gym;

/// <summary>Step was called before Reset, or after an episode ended without a Reset.</summary>
public sealed class ResetNeededException(string message) : InvalidOperationException(message);

/// <summary>The env was used after Dispose.</summary>
public sealed class ClosedEnvironmentException(string message) : ObjectDisposedException(null, message);

/// <summary>An env id is malformed, unknown, or registered twice; the message lists what is known.</summary>
public sealed class EnvRegistrationException(string message) : Exception(message);

/// <summary>An env or one of its wrappers got an action, observation or option it cannot accept.</summary>
public sealed class InvalidEnvArgumentException(string message) : ArgumentException(message);
