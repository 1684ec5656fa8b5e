using System.Text.Json;
using System.Text.Json.Serialization;
using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>Thrown for a safety config file that cannot be used; the message names the file and the field.</summary>
public sealed class SafetyConfigException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The safety config file (JSON, snake_case keys; see <c>fetch-safety.json</c> next to this file,
/// which is embedded and used when no file is given). It narrows the URDF's limits and adds what
/// the URDF does not have: accelerations, the gripper workspace box, speed caps, staleness bounds.
/// Durations are in seconds, distances in metres, angles in radians.
/// </summary>
public sealed record SafetyConfig
{
    /// <summary>Free text for humans; ignored.</summary>
    public string? Comment { get; init; }

    /// <summary>Commanded positions are clamped this far inside the URDF range.</summary>
    public double PositionMargin { get; init; } = 0.02;

    /// <summary>A measured position further than this outside the URDF range stops the robot.</summary>
    public double PositionTolerance { get; init; } = 0.01;

    /// <summary>Fraction of the URDF velocity limit commands may use (0 &lt; x ≤ 1).</summary>
    public double VelocityScale { get; init; } = 1.0;

    /// <summary>A measured joint speed above limit × this factor stops the robot.</summary>
    public double MeasuredVelocityFactor { get; init; } = 1.5;

    /// <summary>Per-joint acceleration limits; every joint needs one (the URDF has none).</summary>
    public Dictionary<string, double> AccelerationLimits { get; init; } = [];

    /// <summary>Per-joint velocity limits tighter than the URDF's (e.g. MoveIt's planning limits).</summary>
    public Dictionary<string, double> VelocityLimits { get; init; } = [];

    /// <summary>Per-joint position ranges [lower, upper] narrower than the URDF's (e.g. to keep the arm
    /// clear of a fixture); must lie inside the URDF range.</summary>
    public Dictionary<string, double[]> PositionLimits { get; init; } = [];

    public WorkspaceConfig Workspace { get; init; } = new();

    /// <summary>Commanded gripper targets must stay this far inside the box.</summary>
    public double WorkspaceMargin { get; init; } = 0.02;

    /// <summary>A measured gripper position further than this outside the box stops the robot.</summary>
    public double WorkspaceTolerance { get; init; } = 0.01;

    public double MaxCartesianSpeed { get; init; } = 0.25;
    public double MaxCartesianAngularSpeed { get; init; } = 0.5;
    public double MaxBaseLinearSpeed { get; init; } = 0.5;
    public double MaxBaseAngularSpeed { get; init; } = 1.0;
    public double MaxGripperSeparation { get; init; } = 0.1;
    public double MaxGripperEffort { get; init; } = 60;

    /// <summary>Joint state older than this (s) stops the robot.</summary>
    public double StaleStateAfter { get; init; } = 0.2;

    /// <summary>Camera frame older than this (s) stops the robot; null when the camera is not safety-relevant.</summary>
    public double? StaleCameraAfter { get; init; }

    /// <summary>Operator heartbeat timeout (s) for teleop watchdogs.</summary>
    public double HeartbeatTimeout { get; init; } = 0.5;

    /// <summary>Consecutive control-loop deadline misses that stop the robot.</summary>
    public int OverrunsBeforeStop { get; init; } = 5;

    /// <summary>Also engage the software runstop on every trip (real Fetch: cuts arm/base/gripper breakers).</summary>
    public bool EngageRunstopOnTrip { get; init; } = true;

    /// <summary>Operators who may reset the e-stop latch.</summary>
    public List<string> AuthorisedOperators { get; init; } = [];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The config shipped with the library (Safety/fetch-safety.json).</summary>
    public static SafetyConfig Default()
    {
        using var stream = typeof(SafetyConfig).Assembly.GetManifestResourceStream("RobotBridge.Safety.fetch-safety.json")
            ?? throw new InvalidOperationException("embedded resource RobotBridge.Safety.fetch-safety.json is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "embedded fetch-safety.json");
    }

    /// <summary>Reads and validates a config file; throws <see cref="SafetyConfigException"/> naming the file and field.</summary>
    public static SafetyConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SafetyConfigException($"safety config {path}: cannot read it ({ex.Message})", ex);
        }
        return Parse(text, path);
    }

    /// <summary>Parses and validates JSON text; <paramref name="origin"/> names it in errors.</summary>
    public static SafetyConfig Parse(string json, string origin)
    {
        SafetyConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<SafetyConfig>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new SafetyConfigException($"safety config {origin}: {ex.Message}", ex);
        }
        if (config is null)
        {
            throw new SafetyConfigException($"safety config {origin}: the file is empty or 'null'");
        }
        config.Validate(origin);
        return config;
    }

    /// <summary>Throws <see cref="SafetyConfigException"/> for the first value that makes no sense.</summary>
    public void Validate(string origin)
    {
        void Fail(string field, string problem) => throw new SafetyConfigException($"safety config {origin}: '{field}' {problem}");
        void Positive(string field, double value)
        {
            if (!(value > 0) || !double.IsFinite(value))
            {
                Fail(field, $"must be a positive finite number, got {value}");
            }
        }
        void NonNegative(string field, double value)
        {
            if (!(value >= 0) || !double.IsFinite(value))
            {
                Fail(field, $"must be a finite number ≥ 0, got {value}");
            }
        }

        NonNegative("position_margin", PositionMargin);
        NonNegative("position_tolerance", PositionTolerance);
        Positive("velocity_scale", VelocityScale);
        if (VelocityScale > 1)
        {
            Fail("velocity_scale", $"must not exceed 1 (the URDF limit), got {VelocityScale}");
        }
        if (MeasuredVelocityFactor < 1 || !double.IsFinite(MeasuredVelocityFactor))
        {
            Fail("measured_velocity_factor", $"must be ≥ 1, got {MeasuredVelocityFactor}");
        }
        foreach (var (joint, value) in AccelerationLimits)
        {
            if (FetchJoints.IndexOf(joint) < 0)
            {
                Fail($"acceleration_limits.{joint}", $"is not a Fetch joint (expected one of {string.Join(", ", FetchJoints.All)})");
            }
            Positive($"acceleration_limits.{joint}", value);
        }
        foreach (var joint in FetchJoints.All)
        {
            if (!AccelerationLimits.ContainsKey(joint))
            {
                Fail("acceleration_limits", $"has no entry for {joint}; every joint needs one");
            }
        }
        foreach (var (joint, value) in VelocityLimits)
        {
            if (FetchJoints.IndexOf(joint) < 0)
            {
                Fail($"velocity_limits.{joint}", "is not a Fetch joint");
            }
            Positive($"velocity_limits.{joint}", value);
        }
        foreach (var (joint, range) in PositionLimits)
        {
            if (FetchJoints.IndexOf(joint) < 0)
            {
                Fail($"position_limits.{joint}", "is not a Fetch joint");
            }
            if (range is not { Length: 2 } || !double.IsFinite(range[0]) || !double.IsFinite(range[1]) || range[0] >= range[1])
            {
                Fail($"position_limits.{joint}", "must be [lower, upper] with lower < upper");
            }
        }
        if (Workspace.Min is not { Length: 3 } || Workspace.Max is not { Length: 3 })
        {
            Fail("workspace", "needs 'min' and 'max', each [x, y, z] in metres");
        }
        for (int i = 0; i < 3; i++)
        {
            if (!double.IsFinite(Workspace.Min[i]) || !double.IsFinite(Workspace.Max[i]) || Workspace.Min[i] >= Workspace.Max[i])
            {
                Fail("workspace", $"axis {"xyz"[i]}: min {Workspace.Min[i]} must be below max {Workspace.Max[i]}");
            }
        }
        NonNegative("workspace_margin", WorkspaceMargin);
        NonNegative("workspace_tolerance", WorkspaceTolerance);
        Positive("max_cartesian_speed", MaxCartesianSpeed);
        Positive("max_cartesian_angular_speed", MaxCartesianAngularSpeed);
        Positive("max_base_linear_speed", MaxBaseLinearSpeed);
        Positive("max_base_angular_speed", MaxBaseAngularSpeed);
        Positive("max_gripper_separation", MaxGripperSeparation);
        Positive("max_gripper_effort", MaxGripperEffort);
        Positive("stale_state_after", StaleStateAfter);
        if (StaleCameraAfter is { } camera)
        {
            Positive("stale_camera_after", camera);
        }
        Positive("heartbeat_timeout", HeartbeatTimeout);
        if (OverrunsBeforeStop < 1)
        {
            Fail("overruns_before_stop", $"must be at least 1, got {OverrunsBeforeStop}");
        }
    }
}

/// <summary>The gripper workspace box in the config file: corners in base_link (m).</summary>
public sealed record WorkspaceConfig
{
    public double[] Min { get; init; } = [-0.1, -0.9, 0.3];
    public double[] Max { get; init; } = [1.35, 0.9, 1.75];

    public WorkspaceBox ToBox() => new(Min[0], Min[1], Min[2], Max[0], Max[1], Max[2]);
}
