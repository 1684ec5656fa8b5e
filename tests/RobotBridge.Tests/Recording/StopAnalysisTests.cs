using RobotBridge.Recording;
using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Tests.Recording;

public sealed class StopAnalysisTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("robotbridge-stop-").FullName;
    private static readonly DateTimeOffset Origin = new(2026, 11, 27, 21, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(40);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Elbow moving at 0.5 rad/s; e-stop trip at 1.0 s; the arm rests from
    /// <paramref name="restAfter"/> steps after the trip (never if null); reset at 2.0 s; motion again
    /// two steps after the reset.</summary>
    private string Record(int? restAfter, double creep = 0)
    {
        string path = Path.Combine(_directory, $"stop-{restAfter}-{creep}.bag");
        using var recorder = EpisodeRecorder.Create(path, Origin);
        var state = new RobotState();
        int elbow = FetchJoints.IndexOf(FetchJoints.ElbowFlex);
        var operatorSource = EStopSource.Teleop("operator");
        for (int step = 0; step <= 75; step++)
        {
            TimeSpan t = step * Period;
            if (step == 25)
            {
                recorder.RecordSafetyEvent(new SafetyEvent(1, SafetyEventKind.Trip, operatorSource, "e-stop over MQTT", Origin + t, t, 0));
            }
            if (step == 50)
            {
                recorder.RecordSafetyEvent(new SafetyEvent(2, SafetyEventKind.Reset, operatorSource, "reset", Origin + t, t, 0));
            }
            bool resting = step >= 25 + (restAfter ?? 1000) && step < 52;
            state.Stamp = t;
            state.Velocity[elbow] = resting ? 0 : 0.5;
            state.Position[elbow] += resting ? creep : 0.5 * Period.TotalSeconds;
            recorder.RecordJointState(state);
        }
        return path;
    }

    [Fact]
    public void Finds_the_trip_the_rest_one_period_later_and_the_resume_after_reset()
    {
        var report = StopAnalysis.Analyse(Record(restAfter: 1), Origin)!;

        Assert.Equal(TimeSpan.FromSeconds(1.0), report.TripTime);
        Assert.Equal("e-stop over MQTT", report.TripCause);
        Assert.Equal(Period, report.StopLatency);
        Assert.Equal(0.0, report.ArmTravelAfterStop);
        Assert.Equal(TimeSpan.FromSeconds(2.0), report.ResetTime);
        Assert.Equal(52 * Period, report.MotionResumedAt);
    }

    [Fact]
    public void Creep_after_the_stop_is_measured()
    {
        var report = StopAnalysis.Analyse(Record(restAfter: 2, creep: 0.001), Origin)!;

        Assert.Equal(2 * Period, report.StopLatency);
        // rest pose taken at step 27; steps 28..49 (the reset is recorded before step 50's state) creep 1 mrad each
        Assert.Equal(0.001 * 22, report.ArmTravelAfterStop, 9);
    }

    [Fact]
    public void A_momentary_dip_while_braking_is_not_rest_and_its_braking_is_not_creep()
    {
        // Trip at 1.0 s; the elbow brakes 0.3 → 0 (a one-sample dip, e.g. between trajectory segments) → 0.2 → 0.1 → rest.
        string path = Path.Combine(_directory, "dip.bag");
        double[] speeds = [0.5, 0.3, 0.0, 0.2, 0.1];
        using (var recorder = EpisodeRecorder.Create(path, Origin))
        {
            var state = new RobotState();
            int elbow = FetchJoints.IndexOf(FetchJoints.ElbowFlex);
            for (int step = 0; step <= 45; step++)
            {
                TimeSpan t = step * Period;
                if (step == 25)
                {
                    recorder.RecordSafetyEvent(new SafetyEvent(1, SafetyEventKind.Trip, EStopSource.Teleop("operator"), "e-stop", Origin + t, t, 0));
                }
                double speed = step < 25 ? 0.5 : step - 25 < speeds.Length ? speeds[step - 25] : 0;
                state.Stamp = t;
                state.Velocity[elbow] = speed;
                state.Position[elbow] += speed * Period.TotalSeconds;
                recorder.RecordJointState(state);
            }
        }

        var report = StopAnalysis.Analyse(path, Origin)!;
        Assert.Equal(5 * Period, report.StopLatency); // not the dip at 2 periods
        Assert.Equal(0.0, report.ArmTravelAfterStop);
        Assert.Equal(2 * Period, StopAnalysis.Analyse(path, Origin, settle: TimeSpan.Zero)!.StopLatency); // without settling, the dip would count
    }

    [Fact]
    public void An_arm_that_never_stops_has_no_stop_time_and_a_bag_without_trip_has_no_report()
    {
        Assert.Null(StopAnalysis.Analyse(Record(restAfter: null), Origin)!.ArmStoppedAt);

        string quiet = Path.Combine(_directory, "quiet.bag");
        using (var recorder = EpisodeRecorder.Create(quiet, Origin))
        {
            recorder.RecordJointState(new RobotState());
        }
        Assert.Null(StopAnalysis.Analyse(quiet, Origin));
    }
}
