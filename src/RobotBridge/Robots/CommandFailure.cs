namespace RobotBridge.Robots;

/// <summary>
/// A command the body received but did not carry out, as its controller reported it: a goal the
/// robot REJECTED, RECALLED, PREEMPTED or ABORTED (with the controller's text), where nothing newer
/// of ours replaced it and we did not cancel it. A motion the caller waits for will not happen; the
/// failure says why at once instead of a timeout saying only that it did not.
/// </summary>
/// <param name="Sequence">Counts failures of one robot from 1, so a caller can tell a new one from
/// one it has seen (compare with the sequence it read before commanding).</param>
/// <param name="Controller">Who refused it, e.g. "arm_controller/follow_joint_trajectory".</param>
/// <param name="Group">The joint group of a trajectory goal; null for the gripper.</param>
/// <param name="Status">The terminal status, named as the robot's middleware names it ("RECALLED (8)").</param>
/// <param name="Text">The controller's own words ("" when it gave none).</param>
public sealed record CommandFailure(long Sequence, string Controller, JointGroup? Group, string Status, string Text)
{
    public override string ToString() => Text.Length == 0
        ? $"{Controller} goal {Status}"
        : $"{Controller} goal {Status}: {Text}";
}
