namespace RobotBridge.Sim.Controllers;

/// <summary>Outcome of a FollowJointTrajectory goal, as actionlib reports it.</summary>
public enum TrajectoryStatus
{
    /// <summary>No goal was ever sent to this controller.</summary>
    Idle,
    Active,
    Succeeded,
    /// <summary>Not within goal tolerance by the end time plus goal_time_tolerance, or cancelled by a stop/runstop/fault.</summary>
    Aborted,
    /// <summary>Replaced by a newer goal or by another controller claiming its joints.</summary>
    Preempted,
}
