using RobotBridge.Gym.Spaces;

namespace RobotBridge.Tests.Gym;

public class SpacesTests
{
    public static TheoryData<string, Space> AllKinds() => new()
    {
        { "box-f32", new Box<float>(-1f, 1f, 4) },
        { "box-f64-unbounded", new Box<double>(double.NegativeInfinity, double.PositiveInfinity, 2, 3) },
        { "box-f64-half", new Box<double>([0, double.NegativeInfinity], [double.PositiveInfinity, 5], [2]) },
        { "box-u8-image", new Box<byte>(0, 255, 8, 8, 3) },
        { "discrete", new Discrete(5, start: -2) },
        { "multidiscrete", new MultiDiscrete([3, 2, 4], [0, 1, -1]) },
        { "multibinary", new MultiBinary(2, 3) },
        { "dict", new DictSpace(("pos", new Box<double>(-2, 2, 3)), ("mode", new Discrete(3)), ("img", new Box<byte>(0, 255, 2, 2, 3))) },
        { "tuple", new TupleSpace(new Discrete(2), new Box<float>(0f, 1f, 2), new DictSpace(("b", new MultiBinary(3)))) },
    };

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Samples_lie_in_the_space_and_the_same_seed_gives_the_same_samples(string name, Space space)
    {
        var a = new Random(7);
        var b = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            object x = space.SampleObject(a);
            Assert.True(space.ContainsObject(x), $"{name}: sample {i} not in space");
            Assert.True(space.ValueEqualsObject(x, space.SampleObject(b)), $"{name}: sample {i} differs for the same seed");
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Json_round_trip_gives_an_equal_space(string name, Space space)
    {
        string json = space.ToJson();
        Space back = Space.FromJson(json);
        Assert.True(space.Equals(back), $"{name}: {json} came back as {back.ToJson()}");
        Assert.Equal(space.Kind, back.Kind);
        Assert.Equal(json, back.ToJson());
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Batch_write_then_read_returns_each_item(string name, Space space)
    {
        var rng = new Random(3);
        var batch = space.CreateBatchObject(5);
        var items = Enumerable.Range(0, 5).Select(_ => space.SampleObject(rng)).ToArray();
        for (int i = 0; i < 5; i++)
            batch.WriteObject(i, items[i]);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(space.ValueEqualsObject(items[i], batch.ReadObject(i)), $"{name}: item {i}");
            var reuse = space.CreateValueObject();
            Assert.True(space.ValueEqualsObject(items[i], batch.ReadObject(i, reuse)), $"{name}: item {i} into reuse");
        }
    }

    [Fact]
    public void Box_batch_is_one_contiguous_row_major_array()
    {
        var box = new Box<double>(-10, 10, 3);
        var batch = (ArrayBatch<double>)box.CreateBatch(4);
        batch.Write(2, [1, 2, 3]);
        Assert.Equal(12, batch.Data.Length);
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0], batch.Data);
    }

    [Fact]
    public void Box_contains_checks_shape_bounds_and_nan()
    {
        var box = new Box<float>([-1f, 0f], [1f, 2f], [2]);
        Assert.True(box.Contains([1f, 2f]));
        Assert.False(box.Contains([1.01f, 0f]));
        Assert.False(box.Contains([0f, -0.1f]));
        Assert.False(box.Contains([0f]));
        Assert.False(box.Contains([float.NaN, 0f]));
        Assert.False(box.ContainsObject(new double[] { 0, 0 }));
        Assert.Contains("element 0 = 3", box.Explain([3f, 0f]));
    }

    [Fact]
    public void Box_rejects_bad_bounds_with_a_clear_message()
    {
        var e = Assert.Throws<ArgumentException>(() => new Box<double>([0, 2], [1, 1], [2]));
        Assert.Contains("low 2 is above high 1", e.Message);
        Assert.Throws<NotSupportedException>(() => new Box<int>(0, 1, 2));
        Assert.Throws<ArgumentException>(() => new Box<double>(0, 1, 0));
    }

    [Fact]
    public void Uint8_box_samples_integers_over_the_full_inclusive_range()
    {
        var box = new Box<byte>(250, 255, 1000);
        var s = box.Sample(new Random(1));
        Assert.Contains((byte)255, s);
        Assert.Contains((byte)250, s);
        Assert.All(s, b => Assert.InRange(b, (byte)250, (byte)255));
    }

    [Fact]
    public void Unbounded_box_samples_are_spread_normally()
    {
        var box = new Box<double>(double.NegativeInfinity, double.PositiveInfinity, 20000);
        var s = box.Sample(new Random(5));
        double mean = s.Average();
        double var = s.Select(x => (x - mean) * (x - mean)).Average();
        Assert.InRange(mean, -0.05, 0.05);
        Assert.InRange(var, 0.9, 1.1);
    }

    [Fact]
    public void Describe_is_machine_readable_with_infinities_as_strings()
    {
        var box = new Box<double>([double.NegativeInfinity, 0], [1, 1], [2]);
        var d = box.Describe();
        Assert.Equal("Box", (string)d["type"]!);
        Assert.Equal("float64", (string)d["dtype"]!);
        Assert.Equal("-inf", (string)d["low"]![0]!);
        Assert.Equal(1.0, (double)d["high"]!);
        Assert.Equal(2, (int)d["shape"]![0]!);
    }

    [Fact]
    public void Flatten_one_hot_encodes_discrete_and_concatenates_dict_children()
    {
        var space = new DictSpace(("a", new Discrete(3, start: 1)), ("b", new Box<float>(-1f, 1f, 2)));
        Assert.Equal(5, space.FlatDimension);
        var flat = space.Flatten(space.Wrap(2, new float[] { 0.5f, -1f }));
        Assert.Equal([0, 1, 0, 0.5, -1], flat);
    }

    [Fact]
    public void Bad_json_fails_naming_the_path()
    {
        var e = Assert.Throws<FormatException>(() => Space.FromJson("""{"type":"Dict","spaces":{"x":{"type":"Box","shape":[2],"dtype":"float16","low":0,"high":1}}}"""));
        Assert.Contains("float16", e.Message);
        e = Assert.Throws<FormatException>(() => Space.FromJson("""{"type":"Box","shape":[2],"dtype":"float32","low":[0,0,0],"high":1}"""));
        Assert.Contains("$.low", e.Message);
    }

    [Fact]
    public void Dict_rejects_values_with_wrong_keys_or_children()
    {
        var space = new DictSpace(("x", new Discrete(2)));
        Assert.True(space.Contains(space.Wrap(1)));
        Assert.False(space.Contains(space.Wrap(2)));
        Assert.False(space.Contains(new DictValue(["y"], [1])));
        Assert.Throws<ArgumentException>(() => new DictSpace(("x", new Discrete(2)), ("x", new Discrete(2))));
    }
}
