using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Recording.Messages;
using RobotBridge.Recording.Replay;
using RobotBridge.Safety;

namespace RobotBridge.Recording;

/// <summary>
/// A Gym wrapper that records every episode of a goal env to an <see cref="EpisodeRecorder"/>:
/// begin (task, seed), observation and goals, action, reward, step timing, e-stop changes seen in
/// <c>info["safety"]</c>, and the end (terminated / truncated). Wrap the env a deploy, teleop or eval
/// run steps, e.g. <c>new EpisodeRecordingEnv(env, recorder, EpisodeSource.Deploy, "FetchReach-v4", "fetch")</c>.
/// </summary>
/// <remarks>Times come from <c>info["timing"].RobotTime</c> when the env reports it, else from the
/// step count × <paramref name="period"/>. The recorder is not owned (one recorder may serve several
/// envs); dispose it after the wrapper. When the e-stop latch itself feeds the recorder
/// (<c>latch.EventRaised += recorder.RecordSafetyEvent</c>, exact trip and reset times, also between
/// episodes), pass <paramref name="safetyFromInfo"/> = false so the changes are not recorded twice.
/// An episode a safety stop ended says so in its end event (reason=safety_stop).</remarks>
public sealed class EpisodeRecordingEnv(IEnv<DictValue, float[]> inner, EpisodeRecorder recorder, EpisodeSource source,
    string task, string robot, TimeSpan? period = null, bool safetyFromInfo = true) : Wrapper<DictValue, float[]>(inner)
{
    private readonly TimeSpan _period = period ?? TimeSpan.FromMilliseconds(40);
    private int _episode = -1;
    private bool _open;
    private bool _stopped;
    private TimeSpan _t;

    public override ResetResult<DictValue> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var result = Inner.Reset(seed, options);
        TimeSpan t = TimeOf(result.Info, _open ? _t + _period : _t);
        if (_open)
        {
            recorder.EndEpisode(t, terminated: false, truncated: true, reason: "reset");
        }
        _episode++;
        _open = true;
        _t = t;
        recorder.BeginEpisode(t, new EpisodeInfo(source, task, _episode, seed, robot, _period));
        recorder.RecordGoalObservation(t, result.Observation);
        RecordSafety(result.Info, t);
        return result;
    }

    public override StepResult<DictValue> Step(float[] action)
    {
        TimeSpan t = _t;
        recorder.RecordAction(t, action);
        var result = Inner.Step(action);
        recorder.RecordReward(t, result.Reward);
        TimeSpan next = TimeOf(result.Info, t + _period);
        if (result.Info.TryGet(InfoKeys.Timing, out Gym.StepTiming timing) && timing.RobotTime > TimeSpan.Zero)
        {
            TimeSpan scheduled = timing.RobotTime - timing.Lateness;
            recorder.RecordTiming(new StepTiming(scheduled, timing.RobotTime - timing.Elapsed, timing.RobotTime));
        }
        RecordSafety(result.Info, next);
        recorder.RecordGoalObservation(next, result.Observation);
        _t = next;
        if (result.Done)
        {
            string reason = IsStopped(result.Info) ? "safety_stop" : result.Terminated ? "terminated" : "truncated";
            recorder.EndEpisode(next, result.Terminated, result.Truncated, reason);
            recorder.Flush();
            _open = false;
        }
        return result;
    }

    protected override void DisposeResources()
    {
        if (_open)
        {
            recorder.EndEpisode(_t, terminated: false, truncated: true, reason: "closed");
            _open = false;
        }
        recorder.Flush();
    }

    private TimeSpan TimeOf(Info info, TimeSpan fallback) =>
        info.TryGet(InfoKeys.Timing, out Gym.StepTiming timing) && timing.RobotTime > TimeSpan.Zero && timing.RobotTime >= _t
            ? timing.RobotTime
            : fallback;

    private static bool IsStopped(Info info) => info.TryGet(SafetyInfoKeys.Safety, out Safety.SafetySnapshot? snapshot) && snapshot is { IsStopped: true };

    private void RecordSafety(Info info, TimeSpan t)
    {
        if (!safetyFromInfo)
        {
            return;
        }
        if (!info.TryGet(SafetyInfoKeys.Safety, out Safety.SafetySnapshot? snapshot) || snapshot is null || snapshot.IsStopped == _stopped)
        {
            return;
        }
        _stopped = snapshot.IsStopped;
        recorder.RecordSafetyEvent(t, _stopped ? RosMessages.DiagnosticLevel.Error : RosMessages.DiagnosticLevel.Ok,
            _stopped ? "estop/trip" : "estop/reset", snapshot.ToString());
    }
}
