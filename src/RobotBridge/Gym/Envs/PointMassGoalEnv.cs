using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Envs;

/// <summary>How a goal env scores a step.</summary>
public enum GoalRewardType
{
    /// <summary>-1 while farther than the threshold from the goal, 0 within it (Gymnasium-Robotics default).</summary>
    Sparse,
    /// <summary>Minus the distance to the goal in metres.</summary>
    Dense,
}

/// <summary>Settings of <see cref="PointMassGoalEnv"/>.</summary>
public sealed record PointMassGoalOptions
{
    public GoalRewardType RewardType { get; init; } = GoalRewardType.Sparse;

    /// <summary>Success radius in metres (Fetch tasks: 0.05).</summary>
    public double DistanceThreshold { get; init; } = 0.05;

    /// <summary>Side of the square top-down camera image added as observation key "image"
    /// (uint8, side x side x 3), or 0 for none. Stands in for the Fetch camera variants.</summary>
    public int ImageSize { get; init; }

    public RenderMode RenderMode { get; init; } = RenderMode.None;
}

/// <summary>
/// A point mass in a 3-D box that must reach a goal: a goal env shaped like FetchReach (25 Hz,
/// float64 goals of 3 dims, 5 cm success radius, goals within ±0.15 m of the start, 50-step episodes
/// when registered) but about a thousand times cheaper to step. Used by the Gym tests, the
/// benchmarks, and as a fast target to debug learning code (SAC+HER solves it in minutes).
/// </summary>
/// <remarks>
/// <para>Action: Box(-1, 1, (3,), float32), a commanded velocity as a fraction of 0.5 m/s, clipped
/// to [-1, 1]. The mass follows with a first-order lag (half the gap per step); walls at ±0.3 m stop it.</para>
/// <para>Observation: <c>observation</c> = position (3, m) and per-step displacement (3, m);
/// <c>achieved_goal</c> = position; <c>desired_goal</c> = goal; optional <c>image</c>.
/// The same observation and info objects are returned by every call (see the ownership rule on
/// <see cref="IEnv{TObs, TAct}"/>); Step allocates nothing.</para>
/// <para>Never terminates: like the Fetch tasks it is a continuing task cut by the TimeLimit.
/// Reset option <c>"goal"</c> (double[3]) fixes the goal instead of sampling it.</para>
/// </remarks>
public sealed class PointMassGoalEnv : Env<DictValue, float[]>, IGoalEnv<float[]>
{
    public const double Dt = 0.04;
    public const double MaxSpeed = 0.5;
    public const double Wall = 0.3;
    public const double GoalRange = 0.15;

    private readonly PointMassGoalOptions _options;
    private readonly DictSpace _observationSpace;
    private readonly Box<float> _actionSpace = new(-1f, 1f, 3);
    private readonly DictValue _obs;
    private readonly double[] _observation = new double[6];
    private readonly double[] _achieved = new double[3];
    private readonly double[] _desired = new double[3];
    private readonly byte[]? _image;
    private readonly double[] _position = new double[3];
    private readonly double[] _velocity = new double[3];
    private long _steps;

    public PointMassGoalEnv(PointMassGoalOptions? options = null)
        : base((options ?? new PointMassGoalOptions()).RenderMode)
    {
        _options = options ?? new PointMassGoalOptions();
        if (!(_options.DistanceThreshold > 0))
            throw new InvalidEnvArgumentException($"distance threshold must be positive, got {_options.DistanceThreshold}");
        if (_options.ImageSize is < 0 or > 512)
            throw new InvalidEnvArgumentException($"image size must be in [0, 512], got {_options.ImageSize}");
        var extras = new List<(string, Space)>();
        if (_options.ImageSize > 0)
        {
            _image = new byte[_options.ImageSize * _options.ImageSize * 3];
            extras.Add(("image", new Box<byte>(0, 255, _options.ImageSize, _options.ImageSize, 3)));
        }
        _observationSpace = GoalSpaces.Create(
            new Box<double>(double.NegativeInfinity, double.PositiveInfinity, 6),
            new Box<double>(double.NegativeInfinity, double.PositiveInfinity, 3),
            [.. extras]);
        var values = new object[_observationSpace.Count];
        values[_observationSpace.IndexOf(GoalObservation.ObservationKey)] = _observation;
        values[_observationSpace.IndexOf(GoalObservation.AchievedGoalKey)] = _achieved;
        values[_observationSpace.IndexOf(GoalObservation.DesiredGoalKey)] = _desired;
        if (_image is not null)
            values[_observationSpace.IndexOf("image")] = _image;
        _obs = _observationSpace.Wrap(values);
    }

    public override Space<DictValue> ObservationSpace => _observationSpace;
    public override Space<float[]> ActionSpace => _actionSpace;
    public override IReadOnlyList<RenderMode> SupportedRenderModes => [RenderMode.None, RenderMode.RgbArray];
    public int GoalDimension => 3;
    public PointMassGoalOptions Options => _options;

    protected override ResetResult<DictValue> OnReset(IReadOnlyDictionary<string, object?>? options)
    {
        Array.Clear(_position);
        Array.Clear(_velocity);
        _steps = 0;
        if (options is not null && options.TryGetValue("goal", out object? g) && g is not null)
        {
            if (g is not double[] goal || goal.Length != 3 || !goal.All(double.IsFinite))
                throw new InvalidEnvArgumentException($"reset option \"goal\" must be a double[3] of finite numbers, got {g}");
            goal.CopyTo(_desired, 0);
        }
        else
        {
            for (int i = 0; i < 3; i++)
                _desired[i] = GoalRange * (2.0 * Rng.NextDouble() - 1.0);
        }
        WriteObservation();
        SetInfo();
        return new ResetResult<DictValue>(_obs, Info);
    }

    public override StepResult<DictValue> Step(float[] action)
    {
        ThrowIfDisposed();
        if (action is null || action.Length != 3)
            throw new InvalidEnvArgumentException($"PointMassGoalEnv action must be float[3], got {(action is null ? "null" : $"float[{action.Length}]")}");
        for (int i = 0; i < 3; i++)
        {
            float a = action[i];
            if (float.IsNaN(a))
                throw new InvalidEnvArgumentException($"action element {i} is NaN");
            double target = Math.Clamp((double)a, -1.0, 1.0) * MaxSpeed;
            _velocity[i] += 0.5 * (target - _velocity[i]);
            double p = _position[i] + _velocity[i] * Dt;
            if (p > Wall || p < -Wall)
            {
                p = Math.Clamp(p, -Wall, Wall);
                _velocity[i] = 0;
            }
            _position[i] = p;
        }
        _steps++;
        WriteObservation();
        Info.Clear();
        SetInfo();
        double reward = RewardFunction.Of(_achieved, _desired);
        return new StepResult<DictValue>(_obs, reward, Terminated: false, Truncated: false, Info);
    }

    public void ComputeReward(ReadOnlySpan<double> achievedGoals, ReadOnlySpan<double> desiredGoals, ReadOnlySpan<Info> infos, Span<double> rewards) =>
        RewardFunction.Compute(achievedGoals, desiredGoals, infos, rewards);

    public override RenderFrame? Render()
    {
        ThrowIfDisposed();
        if (RenderMode != RenderMode.RgbArray)
            return null;
        const int side = 64;
        var rgb = new byte[side * side * 3];
        DrawTopDown(rgb, side);
        return new RenderFrame(side, side, rgb);
    }

    private GoalReward RewardFunction => new(_options.RewardType, _options.DistanceThreshold);

    private void WriteObservation()
    {
        for (int i = 0; i < 3; i++)
        {
            _observation[i] = _position[i];
            _observation[3 + i] = _velocity[i] * Dt;
            _achieved[i] = _position[i];
        }
        if (_image is not null)
            DrawTopDown(_image, _options.ImageSize);
    }

    private void SetInfo()
    {
        Info.Set(InfoKeys.IsSuccess, RewardFunction.IsSuccess(_achieved, _desired));
        var robotTime = TimeSpan.FromSeconds(_steps * Dt);
        Info.Set(InfoKeys.Timing, new StepTiming(robotTime, TimeSpan.FromSeconds(Dt), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero));
    }

    /// <summary>Top-down view of the xy plane: dark background, goal green, mass red (brighter when higher).</summary>
    private void DrawTopDown(Span<byte> rgb, int side)
    {
        rgb.Fill(24);
        Dot(rgb, side, _desired, 0, 200, 0);
        Dot(rgb, side, _position, 220, (byte)Math.Clamp(110 + _position[2] * 300, 0, 255), 40);
    }

    private static void Dot(Span<byte> rgb, int side, ReadOnlySpan<double> p, byte r, byte g, byte b)
    {
        int cx = (int)((p[0] + Wall) / (2 * Wall) * (side - 1));
        int cy = (int)((Wall - p[1]) / (2 * Wall) * (side - 1));
        int radius = Math.Max(1, side / 32);
        for (int y = Math.Max(0, cy - radius); y <= Math.Min(side - 1, cy + radius); y++)
            for (int x = Math.Max(0, cx - radius); x <= Math.Min(side - 1, cx + radius); x++)
            {
                int o = (y * side + x) * 3;
                rgb[o] = r;
                rgb[o + 1] = g;
                rgb[o + 2] = b;
            }
    }
}
