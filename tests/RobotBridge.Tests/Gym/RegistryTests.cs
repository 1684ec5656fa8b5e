using RobotBridge.Gym;
using RobotBridge.Gym.Checking;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;

namespace RobotBridge.Tests.Gym;

public class RegistryTests
{
    [Fact]
    public void Make_adds_the_default_time_limit_and_order_enforcing()
    {
        using var env = GymEnvs.Make<DictValue, float[]>("PointMassGoal-v0");
        Assert.Throws<ResetNeededException>(() => env.Step([0f, 0f, 0f]));
        env.Reset(seed: 1);
        int steps = 0;
        while (!env.Step([0f, 0f, 0f]).Truncated)
            steps++;
        Assert.Equal(49, steps);
        Assert.Equal("PointMassGoal-v0", env.Spec!.Id);
        Assert.Equal(50, env.Spec.MaxEpisodeSteps);
        Assert.IsType<TimeLimit<DictValue, float[]>>(env);
    }

    [Fact]
    public void Options_override_the_limit_and_reach_the_factory()
    {
        var registry = new EnvRegistry();
        EnvOptions? seen = null;
        registry.Register<double[], float[]>("Custom/Probe-v2", o =>
        {
            seen = o;
            return new ProbeEnv();
        }, maxEpisodeSteps: 10, defaultSettings: new Dictionary<string, object?> { ["robot"] = "sim", ["rate_hz"] = "25" });

        var options = new EnvOptions { MaxEpisodeSteps = 3 }.With("rosbridge", "ws://fetch:9090");
        using var env = registry.Make<double[], float[]>("Custom/Probe-v2", options);
        Assert.Equal("sim", seen!.Get("robot", "real"));
        Assert.Equal("ws://fetch:9090", seen.Get<string?>("rosbridge", null));
        Assert.Equal(25, seen.Get("rate_hz", 0));
        Assert.Equal(3, ((TimeLimit<double[], float[]>)env).MaxEpisodeSteps);
        Assert.Equal("ws://fetch:9090", env.Spec!.Options!.Get<string?>("rosbridge", null));

        using var unlimited = registry.Make<double[], float[]>("Custom/Probe-v2", new EnvOptions { MaxEpisodeSteps = 0 });
        Assert.IsNotType<TimeLimit<double[], float[]>>(unlimited);
    }

    [Fact]
    public void Unknown_ids_name_the_registered_versions_or_similar_ids()
    {
        var e = Assert.Throws<EnvRegistrationException>(() => GymEnvs.Make("PointMassGoal-v7"));
        Assert.Contains("PointMassGoal-v0", e.Message);
        e = Assert.Throws<EnvRegistrationException>(() => GymEnvs.Make("pointmass-v0"));
        Assert.Contains("did you mean", e.Message);
        e = Assert.Throws<EnvRegistrationException>(() => GymEnvs.Make("bad id!"));
        Assert.Contains("malformed", e.Message);
    }

    [Fact]
    public void Registering_an_id_twice_is_an_error()
    {
        var registry = new EnvRegistry();
        registry.Register<double[], float[]>("Probe-v0", _ => new ProbeEnv());
        Assert.Throws<EnvRegistrationException>(() => registry.Register<double[], float[]>("Probe-v0", _ => new ProbeEnv()));
    }

    [Fact]
    public void Wrong_value_types_and_unknown_settings_fail_clearly()
    {
        var e = Assert.Throws<EnvRegistrationException>(() => GymEnvs.Make<double[], float[]>("PointMassGoal-v0"));
        Assert.Contains("DictValue", e.Message);
        var bad = Assert.Throws<InvalidEnvArgumentException>(() => GymEnvs.Make("PointMassGoal-v0", EnvOptions.Default.With("image_sise", 4)));
        Assert.Contains("image_sise", bad.Message);
        Assert.Contains("image_size", bad.Message);
        var notNumber = Assert.Throws<InvalidEnvArgumentException>(() => GymEnvs.Make("PointMassGoal-v0", EnvOptions.Parse(["distance_threshold=far"])));
        Assert.Contains("distance_threshold", notNumber.Message);
    }

    [Fact]
    public void Max_episode_steps_in_the_settings_sets_the_time_limit_like_gymnasium_make()
    {
        using var env = GymEnvs.Make<DictValue, float[]>("PointMassGoal-v0", EnvOptions.Parse(["max_episode_steps=7"]));
        Assert.Equal(7, env.Spec?.MaxEpisodeSteps);
        env.Reset(seed: 1);
        int steps = 0;
        bool truncated = false;
        var still = new float[3];
        while (!truncated && steps < 100)
        {
            var s = env.Step(still);
            truncated = s.Truncated;
            steps++;
        }
        Assert.Equal(7, steps);
        Assert.Equal(12, EnvOptions.Of([new("max_episode_steps", "12"), new("reward_type", "dense")]).MaxEpisodeSteps);
        Assert.False(EnvOptions.Of([new("max_episode_steps", "12")]).Settings.ContainsKey("max_episode_steps"));

        var bad = Assert.Throws<InvalidEnvArgumentException>(() => EnvOptions.Parse(["max_episode_steps=long"]));
        Assert.Contains("max_episode_steps", bad.Message);
        Assert.Contains("long", bad.Message);
    }

    [Fact]
    public void The_passive_checker_stops_an_env_that_lies_about_its_observations()
    {
        var registry = new EnvRegistry();
        registry.Register<double[], float[]>("Liar-v0", _ => new LyingEnv());
        using var env = registry.Make<double[], float[]>("Liar-v0");
        var e = Assert.Throws<EnvContractException>(() => env.Reset(seed: 0));
        Assert.Equal(EnvContracts.ResetObservation, e.Contract);
        Assert.Contains("element 0 = 5", e.Message);

        using var unchecked_ = registry.Make<double[], float[]>("Liar-v0", new EnvOptions { DisableEnvChecker = true });
        unchecked_.Reset(seed: 0);
    }

    [Fact]
    public void Render_mode_is_fixed_at_construction_through_make()
    {
        using var env = GymEnvs.Make("PointMassGoal-v0", new EnvOptions { RenderMode = RenderMode.RgbArray });
        Assert.Equal(RenderMode.RgbArray, env.RenderMode);
        Assert.Throws<InvalidEnvArgumentException>(() => GymEnvs.Make("PointMassGoal-v0", new EnvOptions { RenderMode = RenderMode.Human }));
    }

    private sealed class LyingEnv : Env<double[], float[]>
    {
        public override Space<double[]> ObservationSpace { get; } = new Box<double>(-1, 1, 1);
        public override Space<float[]> ActionSpace { get; } = new Box<float>(-1f, 1f, 1);
        protected override ResetResult<double[]> OnReset(IReadOnlyDictionary<string, object?>? options) => new([5.0], Info);
        public override StepResult<double[]> Step(float[] action) => new([0.0], 0, false, false, Info);
    }
}
