namespace RobotBridge.Recording.Bag;

/// <summary>One connection (topic + message type) of a bag, as its connection record states it.</summary>
public sealed record BagConnection(int Id, string Topic, string Type, string Md5Sum, string MessageDefinition, string CallerId, bool Latching);
