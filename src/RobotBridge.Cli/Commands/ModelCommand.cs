using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RobotBridge.Model;
using RobotBridge.Model.Kinematics;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// `robotbridge model`: the robot model from URDF — kinematic tree and limits table, the whole model
/// as JSON, and forward kinematics of one link (`model fk`).
/// </summary>
internal static class ModelCommand
{
    /// <summary>Exit code for a URDF that cannot be loaded, or an unknown link/joint/value.</summary>
    public const int InputError = 1;

    public static Command Create()
    {
        var urdf = new Option<string?>("--urdf")
        {
            Description = "URDF file (default: urdf/fetch.urdf next to the program or in the repository)",
            Recursive = true,
        }.InputFile();
        var json = new Option<bool>("--json") { Description = "Print the whole model as JSON instead of the table" };
        var command = new Command("model",
            "Show the robot model: kinematic tree and joint limits, or the model as JSON.\n" +
            "Examples: robotbridge model\n          robotbridge model --json\n" +
            "          robotbridge model fk --link gripper_link --joints torso_lift_joint=0.2,shoulder_pan_joint=0.5");
        command.Options.Add(urdf);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            if (!TryLoad(parse.GetValue(urdf), parse.InvocationConfiguration.Error, out RobotModel? model))
            {
                return InputError;
            }
            if (parse.GetValue(json))
            {
                output.WriteLine(RobotModelJson.ToJson(model));
            }
            else
            {
                WriteTree(output, model);
                output.WriteLine();
                WriteLimits(output, model);
            }
            return 0;
        });
        command.Subcommands.Add(CreateFk(urdf));
        return command;
    }

    private static Command CreateFk(Option<string?> urdf)
    {
        var link = new Option<string>("--link") { Description = "Link (frame) whose pose to print", Required = true };
        var joints = new Option<string?>("--joints")
        {
            Description = "Joint values as name=value,... (rad or m); joints not listed are 0",
        };
        var command = new Command("fk",
            "Forward kinematics: the pose of a link in the root frame as JSON (xyz, quaternion xyzw, rpy, 4x4 matrix).\n" +
            "Example: robotbridge model fk --link gripper_link --joints shoulder_lift_joint=0.5,elbow_flex_joint=1");
        command.Options.Add(link);
        command.Options.Add(joints);
        command.SetAction(parse =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            if (!TryLoad(parse.GetValue(urdf), error, out RobotModel? model))
            {
                return InputError;
            }
            string linkName = parse.GetValue(link)!;
            if (!model.TryGetLink(linkName, out Link? target))
            {
                error.WriteLine($"robotbridge model fk: robot '{model.Name}' has no link '{linkName}'. Links: {string.Join(", ", model.Links.Select(l => l.Name))}");
                return InputError;
            }
            double[] q = new double[model.VariableCount];
            if (!TryParseJoints(parse.GetValue(joints), model, q, out string? problem))
            {
                error.WriteLine($"robotbridge model fk: {problem}");
                return InputError;
            }
            RigidTransform pose = new KinematicChain(model, target).Pose(q);
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("link", target.Name);
                w.WriteString("frame", model.Root.Name);
                RobotModelJson.WritePose(w, pose);
                w.WriteEndObject();
            }
            parse.InvocationConfiguration.Output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            return 0;
        });
        return command;
    }

    private static bool TryLoad(string? path, TextWriter error, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RobotModel? model)
    {
        model = null;
        try
        {
            model = UrdfLoader.Load(path ?? FetchModel.Locate());
            return true;
        }
        catch (UrdfFormatException e)
        {
            error.WriteLine($"robotbridge model: {e.Message}");
        }
        catch (FileNotFoundException e)
        {
            error.WriteLine($"robotbridge model: {e.Message}; pass --urdf PATH");
        }
        return false;
    }

    /// <summary>Parses "name=value,name=value" into <paramref name="q"/>, rejecting unknown joints and values outside the limits.</summary>
    internal static bool TryParseJoints(string? text, RobotModel model, double[] q, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = item.IndexOf('=');
            if (eq <= 0)
            {
                problem = $"'{item}' is not name=value";
                return false;
            }
            string name = item[..eq].Trim();
            int index = model.VariableIndexOf(name);
            if (index < 0)
            {
                problem = $"robot '{model.Name}' has no joint variable '{name}'. Variables: {string.Join(", ", model.Variables.Select(v => v.Name))}";
                return false;
            }
            if (!double.TryParse(item[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                problem = $"value of '{name}' is not a finite number: '{item[(eq + 1)..]}'";
                return false;
            }
            JointVariable v = model.Variables[index];
            if (value < v.Lower || value > v.Upper)
            {
                problem = $"{name}={Format(value)} is outside its limits [{Format(v.Lower)}, {Format(v.Upper)}]";
                return false;
            }
            q[index] = value;
        }
        return true;
    }

    private static void WriteTree(TextWriter output, RobotModel model)
    {
        output.WriteLine($"robot '{model.Name}' ({model.Source}): {model.Links.Count} links, {model.Joints.Count} joints, {model.VariableCount} joint variables");
        output.WriteLine(model.Root.Name);
        WriteChildren(output, model.Root, "");
    }

    private static void WriteChildren(TextWriter output, Link link, string indent)
    {
        for (int i = 0; i < link.ChildJoints.Count; i++)
        {
            Joint j = link.ChildJoints[i];
            bool last = i == link.ChildJoints.Count - 1;
            string mimic = j.Mimic is JointMimic m ? $", mimics {m.Joint} x{Format(m.Multiplier)}" : "";
            output.WriteLine($"{indent}{(last ? "└─ " : "├─ ")}{j.Child.Name}  [{j.Name}: {j.Type.ToString().ToLowerInvariant()}{mimic}]");
            WriteChildren(output, j.Child, indent + (last ? "   " : "│  "));
        }
    }

    private static void WriteLimits(TextWriter output, RobotModel model)
    {
        string[] header = ["joint", "type", "lower", "upper", "velocity", "effort", "damping"];
        var rows = new List<string[]> { header };
        foreach (Joint j in model.Joints.Where(j => j.Type != JointType.Fixed))
        {
            JointLimits? l = j.Limits;
            rows.Add(
            [
                j.Name,
                j.Type.ToString().ToLowerInvariant() + (j.Mimic != null ? " (mimic)" : ""),
                l == null || !double.IsFinite(l.Lower) ? "-" : Format(l.Lower),
                l == null || !double.IsFinite(l.Upper) ? "-" : Format(l.Upper),
                l == null ? "-" : Format(l.Velocity),
                l == null ? "-" : Format(l.Effort),
                j.Dynamics == null ? "-" : Format(j.Dynamics.Damping),
            ]);
        }
        int[] widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (string[] row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }
        output.WriteLine("Units: rad, rad/s, N·m for rotary joints; m, m/s, N for prismatic joints.");
    }

    private static string Format(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}
