using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobotBridge.Learning.Policies;

/// <summary>Shape of a camera input: rows, columns, channels (uint8, row-major HWC, as the Gym Box stores it).</summary>
public sealed record ImageShape(int Height, int Width, int Channels)
{
    public int Size => Height * Width * Channels;
}

/// <summary>
/// Everything needed to rebuild a policy network and to check it against an env: the inputs it
/// reads (which observation keys, in which order), the action size and bounds, the architecture,
/// and the env's spaces as they were at training time. Stored as JSON at the head of the policy file.
/// </summary>
public sealed record PolicySpec
{
    /// <summary>Dict keys whose flat values are concatenated, in this order, into the vector input
    /// (e.g. observation, desired_goal). Empty for a plain Box observation: the whole observation.</summary>
    public string[] VectorKeys { get; init; } = [];

    /// <summary>Length of the concatenated vector input.</summary>
    public required int VectorSize { get; init; }

    /// <summary>Dict key of the camera image, if the policy reads one.</summary>
    public string? ImageKey { get; init; }

    public ImageShape? Image { get; init; }

    public required int ActionSize { get; init; }

    /// <summary>Env action bounds; the network acts in [-1, 1] and is mapped linearly onto them.</summary>
    public required float[] ActionLow { get; init; }
    public required float[] ActionHigh { get; init; }

    public int[] HiddenSizes { get; init; } = [256, 256];

    /// <summary>Floor on the normaliser's standard deviation. Policy files written before it existed
    /// read as 0, which normalises exactly as they did.</summary>
    public double NormalizerMinStd { get; init; }

    /// <summary>Width of the CNN encoder's output (used only with an image input).</summary>
    public int ImageFeatures { get; init; } = 256;

    /// <summary>Env id and the JSON of its observation and action spaces at training time.</summary>
    public string EnvId { get; init; } = "";
    public string ObservationSpaceJson { get; init; } = "";
    public string ActionSpaceJson { get; init; } = "";

    /// <summary>Env options the policy was trained with, such as <c>arm_motion=streamed</c>: eval and
    /// deploy make the env with them, so the policy acts through the dynamics it learned. Null (files
    /// written before it existed too) means the env's defaults.</summary>
    public IReadOnlyDictionary<string, string>? EnvSettings { get; init; }

    /// <summary>Env options that make the env this policy was trained on: <see cref="EnvSettings"/>.</summary>
    public RobotBridge.Gym.Registration.EnvOptions EnvOptions() => RobotBridge.Gym.Registration.EnvOptions.Of(EnvSettings);

    /// <summary>"sac-her" or "ppo".</summary>
    public string Algorithm { get; init; } = "";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a spec and checks its sizes (<see cref="Validate"/>), so a mangled header fails here, not inside torch.</summary>
    public static PolicySpec FromJson(string json)
    {
        var spec = JsonSerializer.Deserialize<PolicySpec>(json, Json) ?? throw new InvalidDataException("policy header is empty");
        spec.Validate();
        return spec;
    }

    /// <summary>Largest network a spec may describe (weights of the MLP, CNN excluded): far above any
    /// policy trained here, far below what would exhaust the memory of a robot's computer.</summary>
    public const long MaxParameters = 100_000_000;

    /// <summary>Throws <see cref="InvalidDataException"/> naming the field when a size is out of range
    /// or the action bounds do not match the action size.</summary>
    public void Validate()
    {
        static void Check(bool ok, string what)
        {
            if (!ok) throw new InvalidDataException($"policy spec: {what}");
        }
        Check(VectorSize is >= 0 and <= 1_000_000, $"VectorSize must be 0 to 1000000, got {VectorSize}");
        Check(ActionSize is >= 1 and <= 1000, $"ActionSize must be 1 to 1000, got {ActionSize}");
        Check(ActionLow is not null && ActionLow.Length == ActionSize, $"ActionLow must have ActionSize ({ActionSize}) values, has {ActionLow?.Length ?? 0}");
        Check(ActionHigh is not null && ActionHigh.Length == ActionSize, $"ActionHigh must have ActionSize ({ActionSize}) values, has {ActionHigh?.Length ?? 0}");
        int[] hidden = HiddenSizes ?? [];
        Check(hidden.Length is >= 1 and <= 16, $"HiddenSizes must list 1 to 16 layers, has {hidden.Length}");
        Check(hidden.All(w => w is >= 1 and <= 16384), $"HiddenSizes must be widths from 1 to 16384, got [{string.Join(", ", hidden)}]");
        Check(double.IsFinite(NormalizerMinStd) && NormalizerMinStd >= 0, $"NormalizerMinStd must be a finite number ≥ 0, got {NormalizerMinStd}");
        if (Image is not null)
        {
            Check(Image.Height is >= 1 and <= 4096 && Image.Width is >= 1 and <= 4096 && Image.Channels is >= 1 and <= 4,
                $"Image must be 1-4096 x 1-4096 x 1-4 channels, got {Image.Height}x{Image.Width}x{Image.Channels}");
            Check(ImageFeatures is >= 1 and <= 65536, $"ImageFeatures must be 1 to 65536, got {ImageFeatures}");
        }
        Check(VectorSize > 0 || Image is not null, "the policy reads neither a vector nor an image");
        long inputs = VectorSize + (Image is null ? 0 : ImageFeatures), parameters = 0;
        foreach (int width in hidden)
        {
            parameters += (inputs + 1) * width;
            inputs = width;
        }
        parameters += (inputs + 1) * 2L * ActionSize;
        Check(parameters <= MaxParameters, $"the network would have {parameters} weights, more than the {MaxParameters} allowed");
    }
}
