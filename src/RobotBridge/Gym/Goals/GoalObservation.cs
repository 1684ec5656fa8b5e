using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Goals;

/// <summary>Key names of goal-env observations and typed accessors for them.</summary>
public static class GoalObservation
{
    public const string ObservationKey = "observation";
    public const string AchievedGoalKey = "achieved_goal";
    public const string DesiredGoalKey = "desired_goal";

    /// <summary>The robot/object state vector (float64).</summary>
    public static double[] Observation(this DictValue obs) => obs.Get<double[]>(ObservationKey);

    /// <summary>The goal the current state achieves (float64, <see cref="IGoalEnv.GoalDimension"/> long).</summary>
    public static double[] AchievedGoal(this DictValue obs) => obs.Get<double[]>(AchievedGoalKey);

    /// <summary>The goal of the episode (float64).</summary>
    public static double[] DesiredGoal(this DictValue obs) => obs.Get<double[]>(DesiredGoalKey);
}

/// <summary>Builds the observation space of a goal env.</summary>
public static class GoalSpaces
{
    /// <summary>
    /// Dict of <c>achieved_goal</c> and <c>desired_goal</c> (both <paramref name="goal"/>),
    /// <c>observation</c> and any <paramref name="extras"/> (e.g. ("image", new Box&lt;byte&gt;(0, 255, 84, 84, 3))),
    /// keys sorted ordinally as Gymnasium sorts a dict, so flattening matches Gymnasium's layout.
    /// </summary>
    public static DictSpace Create(Box<double> observation, Box<double> goal, params (string Key, Space Space)[] extras)
    {
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(goal);
        var children = new List<(string Key, Space Space)>
        {
            (GoalObservation.AchievedGoalKey, goal),
            (GoalObservation.DesiredGoalKey, goal),
            (GoalObservation.ObservationKey, observation),
        };
        children.AddRange(extras);
        children.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new DictSpace([.. children]);
    }
}
