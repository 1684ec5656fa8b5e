namespace RobotBridge.Ros.Server;

/// <summary>A client asked for something its role (or the topic's owner) does not allow; answered with a status error.</summary>
public sealed class AccessDeniedException(string message) : Exception(message);
