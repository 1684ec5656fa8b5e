using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Tests.Safety;

public class SafetyConfigTests
{
    [Fact]
    public void The_shipped_config_loads_and_has_an_acceleration_for_every_joint()
    {
        var config = SafetyConfig.Default();
        foreach (var joint in FetchJoints.All)
        {
            Assert.True(config.AccelerationLimits[joint] > 0, joint);
        }
        Assert.True(config.EngageRunstopOnTrip);
        Assert.True(config.Workspace.ToBox().Contains(1.128, 0, 0.786), "the zero pose gripper is inside the default box");
    }

    [Fact]
    public void An_unknown_field_is_named_in_the_error()
    {
        var error = Assert.Throws<SafetyConfigException>(() => SafetyConfig.Parse(WithDefaults("\"max_cartesian_sped\": 1,"), "test.json"));
        Assert.Contains("test.json", error.Message);
        Assert.Contains("max_cartesian_sped", error.Message);
    }

    [Fact]
    public void An_inverted_workspace_axis_is_refused_with_the_axis()
    {
        var error = Assert.Throws<SafetyConfigException>(() =>
            SafetyConfig.Parse(WithDefaults("\"workspace\": { \"min\": [0, 1, 0], \"max\": [1, 0, 1] },"), "w.json"));
        Assert.Contains("workspace", error.Message);
        Assert.Contains("axis y", error.Message);
    }

    [Fact]
    public void A_missing_acceleration_limit_names_the_joint()
    {
        var error = Assert.Throws<SafetyConfigException>(() => SafetyConfig.Parse("{ \"acceleration_limits\": { \"torso_lift_joint\": 0.5 } }", "a.json"));
        Assert.Contains("l_wheel_joint", error.Message);
    }

    [Fact]
    public void A_velocity_scale_above_one_is_refused()
    {
        var error = Assert.Throws<SafetyConfigException>(() => SafetyConfig.Parse(WithDefaults("\"velocity_scale\": 1.5,"), "v.json"));
        Assert.Contains("velocity_scale", error.Message);
    }

    [Fact]
    public void A_missing_file_names_the_path()
    {
        var error = Assert.Throws<SafetyConfigException>(() => SafetyConfig.Load("/nonexistent/safety.json"));
        Assert.Contains("/nonexistent/safety.json", error.Message);
    }

    /// <summary>The shipped accelerations plus <paramref name="extra"/> fields.</summary>
    private static string WithDefaults(string extra)
    {
        var accelerations = string.Join(", ", FetchJoints.All.Select(j => $"\"{j}\": 1.0"));
        return $"{{ {extra} \"acceleration_limits\": {{ {accelerations} }} }}";
    }
}
