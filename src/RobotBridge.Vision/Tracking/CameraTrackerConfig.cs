using System.Text.Json;
using System.Text.Json.Serialization;
using RobotBridge.Model;

namespace RobotBridge.Vision.Tracking;

/// <summary>One tag on an object: its id and where it sits on the object.</summary>
public sealed record ObjectTag
{
    /// <summary>The tag's id in the family.</summary>
    public required int Id { get; init; }

    /// <summary>Position of the tag's centre in the object's frame (m).</summary>
    public double[] Xyz { get; init; } = [0, 0, 0];

    /// <summary>Orientation of the tag's frame (x right, y down the printed tag, z into it) in the
    /// object's frame, as roll, pitch, yaw (rad, URDF convention).</summary>
    public double[] Rpy { get; init; } = [0, 0, 0];

    /// <summary>The tag's pose in the object's frame.</summary>
    [JsonIgnore]
    public RigidTransform TagInObject => RigidTransform.FromXyzRpy(new Vec3(Xyz[0], Xyz[1], Xyz[2]), new Vec3(Rpy[0], Rpy[1], Rpy[2]));
}

/// <summary>One tagged object: which tags it carries, how big they are and where they sit on it. Either
/// one tag given by <see cref="Id"/>, <see cref="Xyz"/> and <see cref="Rpy"/> on the object itself, or
/// several in <see cref="Tags"/> (a cube with a tag on each face the camera may see), all of
/// <see cref="Size"/>.</summary>
public sealed record TaggedObject
{
    /// <summary>The object's name ("cube", "puck"): what a task asks the tracker for.</summary>
    public required string Object { get; init; }

    /// <summary>The tag's id in the family (one-tag form; null with <see cref="Tags"/>).</summary>
    public int? Id { get; init; }

    /// <summary>Edge of each tag's black square in metres (not of the white quiet zone around it).</summary>
    public required double Size { get; init; }

    /// <summary>One-tag form: position of the tag's centre in the object's frame (m).</summary>
    public double[]? Xyz { get; init; }

    /// <summary>One-tag form: orientation of the tag's frame in the object's frame (see <see cref="ObjectTag.Rpy"/>).</summary>
    public double[]? Rpy { get; init; }

    /// <summary>Several tags on the object, each with its own id and place (null in the one-tag form).</summary>
    public List<ObjectTag>? Tags { get; init; }

    /// <summary>Radius (m) of a sphere about the object's centre that contains it (the cube's half-diagonal):
    /// how near the arm must come to have touched it, or stand in front of it to hide it. Null: the tracker
    /// never takes a hidden object to be still where it was seen.</summary>
    public double? Radius { get; init; }

    /// <summary>The finger separation (m, the two finger joints' sum) at which the gripper's fingers are
    /// closed on the object, [min, max]: while they stay there after the object was seen in the grasp, it
    /// moves with the gripper. Null: the tracker never carries it.</summary>
    public double[]? GraspWidth { get; init; }

    /// <summary>Every tag on the object, whichever form the config used.</summary>
    [JsonIgnore]
    public IReadOnlyList<ObjectTag> AllTags => Tags is not null ? Tags
        : Id is int id ? [new ObjectTag { Id = id, Xyz = Xyz ?? [0, 0, 0], Rpy = Rpy ?? [0, 0, 0] }]
        : [];

    /// <summary>The tag ids, for messages ("0, 2, 3").</summary>
    [JsonIgnore]
    public string IdList => string.Join(", ", AllTags.Select(t => t.Id));
}

/// <summary>The camera's intrinsics as written in the config (sensor_msgs/CameraInfo's K entries).</summary>
public sealed record CameraConfig(double Fx, double Fy, double Cx, double Cy, int Width, int Height)
{
    public CameraIntrinsics ToIntrinsics() => new(Fx, Fy, Cx, Cy, Width, Height);
}

/// <summary>
/// The camera object tracker's settings, read from JSON (snake_case keys; the shipped default is
/// Tracking/fetch-tags.json, made for the twin's tagged cube and puck and for tags printed to the
/// same size). Unknown keys are refused so a misspelt one cannot silently fall back to a default.
/// </summary>
public sealed record CameraTrackerConfig
{
    public string Family { get; init; } = "tag36h11";

    /// <summary>The head camera's intrinsics; omitted, the twin's (640x480, 1.047 rad horizontal FOV).</summary>
    public CameraConfig? Camera { get; init; }

    /// <summary>A pose older than this (robot clock, from the frame's stamp) counts as lost.</summary>
    public double StaleAfter { get; init; } = 0.5;

    /// <summary>How long (s, robot clock, from the frame that measured it) the last pose is still given
    /// after newer frames miss the tag, e.g. while the gripper passes over it: at most this old, its
    /// <see cref="RobotBridge.Tasks.ObjectState.Stamp"/> saying how old. 0 turns holding off. Never more
    /// than <see cref="StaleAfter"/>.</summary>
    public double HoldFor { get; init; } = 0.3;

    /// <summary>How long (s, from the frame that measured it) an object the arm hides, and has not come
    /// near since it was seen, is taken to be still where it was seen (an object on a table moves only
    /// when something touches it). Needs the object's <see cref="TaggedObject.Radius"/>. 0 turns it off.
    /// Bounded so that an object moved by someone else while hidden is let go of.</summary>
    public double HiddenHoldFor { get; init; } = 10;

    /// <summary>Detector quad decimation (see <see cref="AprilTagDetectorOptions.Decimate"/>).</summary>
    public float Decimate { get; init; } = 1.0f;

    /// <summary>Detections with more corrected bits than this are ignored (0 = exact codes only).</summary>
    public int MaxHamming { get; init; } = 1;

    /// <summary>Detections whose corner fit is below this margin are ignored (the library's
    /// decision_margin; printed tags in good light score well above 50).</summary>
    public double MinDecisionMargin { get; init; } = 20;

    /// <summary>Detections whose pose fits their corners worse than this (estimate_tag_pose's object-space
    /// error, m²) are ignored: a small tag seen edge-on (a side face) can be given the mirrored tilt, which
    /// puts the object's centre, a half-edge behind the tag, 5 cm off (measured on the twin: such poses
    /// scored 1.2e-5 to 2.6e-5, every right one at most 3e-6).</summary>
    public double MaxPoseError { get; init; } = 1e-5;

    public List<TaggedObject> Objects { get; init; } = [];

    [JsonIgnore]
    public TagFamily TagFamily => TagFamilies.TryParse(Family, out TagFamily f) ? f
        : throw new CameraTrackerConfigException($"tag family \"{Family}\" is not one of: tag36h11, tag25h9, tag16h5");

    [JsonIgnore]
    public CameraIntrinsics Intrinsics => Camera?.ToIntrinsics() ?? CameraIntrinsics.FetchTwin;

    /// <summary>The entry for <paramref name="name"/>, or an error naming the ones there are.</summary>
    public TaggedObject For(string name) =>
        Objects.FirstOrDefault(o => string.Equals(o.Object, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new CameraTrackerConfigException(
            $"the tag config has no object \"{name}\" (it has: {string.Join(", ", Objects.Select(o => o.Object))})");

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The config shipped with the library (Tracking/fetch-tags.json).</summary>
    public static CameraTrackerConfig Default()
    {
        using var stream = typeof(CameraTrackerConfig).Assembly.GetManifestResourceStream("RobotBridge.Vision.Tracking.fetch-tags.json")
            ?? throw new InvalidOperationException("embedded resource RobotBridge.Vision.Tracking.fetch-tags.json is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "embedded fetch-tags.json");
    }

    public static CameraTrackerConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CameraTrackerConfigException($"tag config {path}: cannot read it ({ex.Message})");
        }
        return Parse(text, path);
    }

    public static CameraTrackerConfig Parse(string json, string origin)
    {
        CameraTrackerConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<CameraTrackerConfig>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new CameraTrackerConfigException($"tag config {origin}: {ex.Message}");
        }
        if (config is null)
        {
            throw new CameraTrackerConfigException($"tag config {origin}: the file is empty or 'null'");
        }
        config.Validate($"tag config {origin}");
        return config;
    }

    public void Validate(string origin = "tag config")
    {
        _ = TagFamily;
        try
        {
            Intrinsics.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new CameraTrackerConfigException($"{origin}: {ex.Message}");
        }
        if (!double.IsFinite(StaleAfter) || StaleAfter <= 0 || StaleAfter > 10)
        {
            throw new CameraTrackerConfigException($"{origin}: stale_after {StaleAfter} s must be in (0, 10]");
        }
        if (!double.IsFinite(HoldFor) || HoldFor < 0 || HoldFor > StaleAfter)
        {
            throw new CameraTrackerConfigException($"{origin}: hold_for {HoldFor} s must be between 0 and stale_after ({StaleAfter} s)");
        }
        if (!double.IsFinite(HiddenHoldFor) || HiddenHoldFor < 0 || HiddenHoldFor > 60)
        {
            throw new CameraTrackerConfigException($"{origin}: hidden_hold_for {HiddenHoldFor} s must be between 0 and 60");
        }
        if (!float.IsFinite(Decimate) || Decimate < 1 || Decimate > 8)
        {
            throw new CameraTrackerConfigException($"{origin}: decimate {Decimate} must be between 1 and 8");
        }
        if (MaxHamming is < 0 or > 3)
        {
            throw new CameraTrackerConfigException($"{origin}: max_hamming {MaxHamming} must be between 0 and 3");
        }
        if (!double.IsFinite(MinDecisionMargin) || MinDecisionMargin < 0)
        {
            throw new CameraTrackerConfigException($"{origin}: min_decision_margin {MinDecisionMargin} must be non-negative");
        }
        if (!double.IsFinite(MaxPoseError) || MaxPoseError <= 0)
        {
            throw new CameraTrackerConfigException($"{origin}: max_pose_error {MaxPoseError} must be positive (m²)");
        }
        if (Objects.Count == 0)
        {
            throw new CameraTrackerConfigException($"{origin}: \"objects\" lists no tagged object");
        }
        for (int i = 0; i < Objects.Count; i++)
        {
            TaggedObject? o = Objects[i];
            string at = $"objects[{i}]";
            if (o is null)
            {
                throw new CameraTrackerConfigException($"{origin}: {at} is null");
            }
            if (string.IsNullOrWhiteSpace(o.Object))
            {
                throw new CameraTrackerConfigException($"{origin}: {at}.object: the object has no name");
            }
            at = $"{at} (\"{o.Object}\")";
            if (!double.IsFinite(o.Size) || o.Size <= 0 || o.Size > 1)
            {
                throw new CameraTrackerConfigException($"{origin}: {at}.size {o.Size} m must be in (0, 1] (the tags' black square's edge)");
            }
            if (o.Radius is double radius && (!double.IsFinite(radius) || radius <= 0 || radius > 0.5))
            {
                throw new CameraTrackerConfigException($"{origin}: {at}.radius {radius} m must be in (0, 0.5] (a sphere about the object's centre that contains it)");
            }
            if (o.GraspWidth is { } grasp && (grasp.Length != 2 || !grasp.All(double.IsFinite) || grasp[0] < 0 || grasp[0] >= grasp[1] || grasp[1] > 0.2))
            {
                throw new CameraTrackerConfigException($"{origin}: {at}.grasp_width must be [min, max] finger separations in metres with 0 <= min < max <= 0.2");
            }
            if (o.Tags is not null && (o.Id is not null || o.Xyz is not null || o.Rpy is not null))
            {
                throw new CameraTrackerConfigException($"{origin}: {at} gives both \"tags\" and a single tag's id/xyz/rpy; put every tag in \"tags\"");
            }
            if (o.Tags is null && o.Id is null)
            {
                throw new CameraTrackerConfigException($"{origin}: {at} has neither \"id\" (one tag) nor \"tags\" (several)");
            }
            if (o.Tags is { Count: 0 })
            {
                throw new CameraTrackerConfigException($"{origin}: {at}.tags lists no tag");
            }
            if (o.Tags is null)
            {
                CheckTag(origin, at, o.Id!.Value, o.Xyz ?? [0, 0, 0], o.Rpy ?? [0, 0, 0]);
                continue;
            }
            for (int j = 0; j < o.Tags.Count; j++)
            {
                ObjectTag? tag = o.Tags[j];
                if (tag is null)
                {
                    throw new CameraTrackerConfigException($"{origin}: {at}.tags[{j}] is null");
                }
                CheckTag(origin, $"{at}.tags[{j}]", tag.Id, tag.Xyz, tag.Rpy);
            }
        }
        var ids = Objects.SelectMany(o => o.AllTags.Select(t => (o.Object, t.Id))).GroupBy(t => t.Id).FirstOrDefault(g => g.Count() > 1);
        if (ids is not null)
        {
            throw new CameraTrackerConfigException($"{origin}: tag id {ids.Key} is used more than once ({string.Join(", ", ids.Select(t => t.Object))}); each tag needs its own id");
        }
    }

    private static void CheckTag(string origin, string at, int id, double[]? xyz, double[]? rpy)
    {
        if (id < 0)
        {
            throw new CameraTrackerConfigException($"{origin}: {at}.id {id} must not be negative");
        }
        if (xyz is not { Length: 3 } || !xyz.All(double.IsFinite))
        {
            throw new CameraTrackerConfigException($"{origin}: {at}.xyz must be 3 finite numbers (m)");
        }
        if (rpy is not { Length: 3 } || !rpy.All(double.IsFinite))
        {
            throw new CameraTrackerConfigException($"{origin}: {at}.rpy must be 3 finite numbers (rad)");
        }
    }
}

/// <summary>The tag config is unreadable or invalid; the message names the file and the field.</summary>
public sealed class CameraTrackerConfigException(string message) : Exception(message);
