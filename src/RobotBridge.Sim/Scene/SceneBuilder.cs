using System.Globalization;
using System.Xml.Linq;
using RobotBridge.Robots;
using RobotBridge.Sim.Interop;

namespace RobotBridge.Sim.Scene;

/// <summary>
/// Builds the twin's MJCF from the single robot description (urdf/fetch.urdf) and the scene template
/// (urdf/scene/tabletop.xml). MuJoCo's own URDF importer converts the robot (kept unfused, so every
/// URDF link, camera frame included, stays a named body); this class then inserts it into the scene
/// and adds what a URDF cannot say: planar base joints, servo actuators, rotor armature, URDF mimic
/// joints as equality constraints, the head camera, collision filtering and the "home" keyframe.
/// </summary>
public static class SceneBuilder
{
    /// <summary>Carmine head camera horizontal field of view (fetch_gazebo sensor, rad).</summary>
    public const double HeadCameraHorizontalFov = 1.047197;

    /// <summary>Aspect of the real camera's 640x480 image; MuJoCo's camera takes a vertical FOV.</summary>
    public const double HeadCameraAspect = 640.0 / 480.0;

    /// <summary>Tucked arm (fetch_teleop tuck_arm.py), torso down, head level, gripper open.</summary>
    public static IReadOnlyDictionary<string, double> HomePose { get; } = new Dictionary<string, double>
    {
        [FetchJoints.ShoulderPan] = 1.32,
        [FetchJoints.ShoulderLift] = 1.40,
        [FetchJoints.UpperarmRoll] = -0.2,
        [FetchJoints.ElbowFlex] = 1.72,
        [FetchJoints.ForearmRoll] = 0.0,
        [FetchJoints.WristFlex] = 1.66,
        [FetchJoints.WristRoll] = 0.0,
        [FetchJoints.LGripperFinger] = 0.05,
        [FetchJoints.RGripperFinger] = 0.05,
    };

    /// <summary>Builds the complete scene MJCF document.</summary>
    public static XDocument Build(SceneFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        XDocument urdf = LoadXml(files.RobotUrdf, "robot URDF");
        XDocument scene = LoadXml(files.SceneTemplate, "scene template");
        XElement robot = ImportRobot(urdf);

        XElement worldbody = scene.Root!.Element("worldbody")
            ?? throw new SceneBuildException($"{files.SceneTemplate}: the scene template has no <worldbody>");
        XElement baseLink = robot.Element("worldbody")?.Element("body")
            ?? throw new SceneBuildException($"{files.RobotUrdf}: MuJoCo's import produced no root body");
        if ((string?)baseLink.Attribute("name") != SceneNames.BaseBody)
        {
            throw new SceneBuildException($"{files.RobotUrdf}: the root link is '{baseLink.Attribute("name")}', expected '{SceneNames.BaseBody}'");
        }
        RequireJoints(baseLink, files.RobotUrdf);

        AddPlanarBase(baseLink);
        FilterRobotCollisions(baseLink);
        var urdfLimits = ReadUrdfLimits(urdf);
        AddArmature(baseLink);
        AddHeadCamera(baseLink);
        worldbody.AddFirst(baseLink);

        SceneTags.Apply(scene);
        scene.Root.Add(BuildEquality(urdf));
        scene.Root.Add(BuildActuators(urdfLimits));
        scene.Root.Add(BuildHomeKeyframe(scene));
        return scene;
    }

    /// <summary>Builds the scene, writes it to <paramref name="mjcfPath"/> and compiles it.</summary>
    public static SimModel BuildModel(SceneFiles files, string mjcfPath)
    {
        XDocument scene = Build(files);
        scene.Save(mjcfPath);
        return SimModel.Load(mjcfPath);
    }

    /// <summary>Builds and compiles the scene through a temporary file that is removed afterwards.</summary>
    public static SimModel BuildModel(SceneFiles files)
    {
        string directory = Directory.CreateTempSubdirectory("robotbridge-scene-").FullName;
        try
        {
            return BuildModel(files, Path.Combine(directory, "fetch_scene.xml"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static XDocument LoadXml(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new SceneBuildException($"the {what} '{path}' does not exist");
        }
        try
        {
            return XDocument.Load(path, LoadOptions.SetLineInfo);
        }
        catch (System.Xml.XmlException e)
        {
            throw new SceneBuildException($"the {what} '{path}' is not well-formed XML: {e.Message}");
        }
    }

    /// <summary>Runs MuJoCo's URDF importer with static fusion off and returns the MJCF it wrote.</summary>
    private static XElement ImportRobot(XDocument urdf)
    {
        var copy = new XDocument(urdf);
        XElement root = copy.Root!;
        root.Elements("mujoco").Remove();
        root.AddFirst(new XElement("mujoco", new XElement("compiler",
            new XAttribute("fusestatic", "false"), new XAttribute("discardvisual", "true"))));
        string directory = Directory.CreateTempSubdirectory("robotbridge-urdf-").FullName;
        try
        {
            string urdfPath = Path.Combine(directory, "robot.urdf");
            string mjcfPath = Path.Combine(directory, "robot.xml");
            copy.Save(urdfPath);
            SimModel.ConvertToMjcf(urdfPath, mjcfPath);
            return XDocument.Load(mjcfPath).Root!;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void RequireJoints(XElement baseLink, string source)
    {
        var names = baseLink.Descendants("joint").Select(j => (string?)j.Attribute("name")).ToHashSet();
        foreach (string joint in FetchJoints.All)
        {
            if (!names.Contains(joint))
            {
                throw new SceneBuildException($"{source}: joint '{joint}' (FetchJoints.All) is missing from the robot");
            }
        }
        foreach (string body in new[] { SceneNames.HeadCameraBody, SceneNames.GripperBody, SceneNames.WristRollBody, SceneNames.TorsoLiftBody })
        {
            if (!baseLink.DescendantsAndSelf("body").Any(b => (string?)b.Attribute("name") == body))
            {
                throw new SceneBuildException($"{source}: link '{body}' is missing from the robot");
            }
        }
    }

    /// <summary>The base rides on x/y slides and a yaw hinge (as in the Gym Fetch scene), driven by
    /// velocity servos; the wheels spin alongside without carrying it.</summary>
    private static void AddPlanarBase(XElement baseLink)
    {
        XElement? inertial = baseLink.Element("inertial");
        var joints = new[]
        {
            BaseJoint(SceneNames.BaseX, "slide", "1 0 0", ServoTuning.BaseLinear),
            BaseJoint(SceneNames.BaseY, "slide", "0 1 0", ServoTuning.BaseLinear),
            BaseJoint(SceneNames.BaseYaw, "hinge", "0 0 1", ServoTuning.BaseAngular),
        };
        if (inertial is not null)
        {
            inertial.AddAfterSelf(joints);
        }
        else
        {
            baseLink.AddFirst(joints);
        }
    }

    private static XElement BaseJoint(string name, string type, string axis, ServoGain gain) => new("joint",
        new XAttribute("name", name), new XAttribute("type", type), new XAttribute("axis", axis),
        new XAttribute("damping", Format(gain.Damping)));

    private static void FilterRobotCollisions(XElement baseLink)
    {
        foreach (XElement geom in baseLink.Descendants("geom"))
        {
            if ((string?)geom.Attribute("contype") == "0" && (string?)geom.Attribute("conaffinity") == "0")
            {
                continue;
            }
            geom.SetAttributeValue("contype", "1");
            geom.SetAttributeValue("conaffinity", "0");
            geom.SetAttributeValue("condim", "4");
        }
    }

    private static void AddArmature(XElement baseLink)
    {
        foreach (XElement joint in baseLink.Descendants("joint"))
        {
            string name = (string?)joint.Attribute("name") ?? "";
            ServoGain? servo = ServoTuning.PositionServos.TryGetValue(name, out ServoGain position) ? position
                : name is FetchJoints.LWheel or FetchJoints.RWheel ? ServoTuning.Wheel : null;
            if (servo is { } gain)
            {
                double urdfDamping = (double?)joint.Attribute("damping") ?? 0.0;
                joint.SetAttributeValue("armature", Format(gain.Armature));
                joint.SetAttributeValue("damping", Format(urdfDamping + gain.Damping));
                if (name is FetchJoints.LGripperFinger or FetchJoints.RGripperFinger)
                {
                    joint.SetAttributeValue("solreflimit", ServoTuning.FingerStopSolref);
                }
            }
        }
    }

    private static void AddHeadCamera(XElement baseLink)
    {
        XElement optical = baseLink.Descendants("body").First(b => (string?)b.Attribute("name") == SceneNames.HeadCameraBody);
        double verticalFov = 2.0 * Math.Atan(Math.Tan(HeadCameraHorizontalFov / 2.0) / HeadCameraAspect);
        // MuJoCo cameras look along -z with +y up; the ROS optical frame looks along +z with +y down:
        // a half turn about x maps one onto the other.
        optical.Add(new XElement("camera",
            new XAttribute("name", SceneNames.HeadCamera),
            new XAttribute("mode", "fixed"),
            new XAttribute("quat", "0 1 0 0"),
            new XAttribute("fovy", Format(verticalFov * 180.0 / Math.PI))));
    }

    /// <summary>URDF mimic joints become MuJoCo joint equality constraints (q = offset + multiplier·q_leader).</summary>
    private static XElement BuildEquality(XDocument urdf)
    {
        var equality = new XElement("equality");
        foreach (XElement joint in urdf.Root!.Elements("joint"))
        {
            XElement? mimic = joint.Element("mimic");
            if (mimic is null)
            {
                continue;
            }
            double multiplier = (double?)mimic.Attribute("multiplier") ?? 1.0;
            double offset = (double?)mimic.Attribute("offset") ?? 0.0;
            equality.Add(new XElement("joint",
                new XAttribute("joint1", (string)joint.Attribute("name")!),
                new XAttribute("joint2", (string)mimic.Attribute("joint")!),
                new XAttribute("polycoef", $"{Format(offset)} {Format(multiplier)} 0 0 0")));
        }
        return equality;
    }

    private static Dictionary<string, (double Effort, double Velocity)> ReadUrdfLimits(XDocument urdf)
    {
        var limits = new Dictionary<string, (double, double)>();
        foreach (XElement joint in urdf.Root!.Elements("joint"))
        {
            XElement? limit = joint.Element("limit");
            if (limit is not null)
            {
                limits[(string)joint.Attribute("name")!] = ((double?)limit.Attribute("effort") ?? 0.0, (double?)limit.Attribute("velocity") ?? 0.0);
            }
        }
        return limits;
    }

    private static XElement BuildActuators(Dictionary<string, (double Effort, double Velocity)> urdfLimits)
    {
        var actuators = new XElement("actuator");
        foreach (string joint in FetchJoints.All)
        {
            if (ServoTuning.PositionServos.TryGetValue(joint, out ServoGain gain))
            {
                var servo = new XElement("position",
                    new XAttribute("name", SceneNames.ServoOf(joint)),
                    new XAttribute("joint", joint),
                    new XAttribute("kp", Format(gain.Kp)));
                if (urdfLimits.TryGetValue(joint, out var limit) && limit.Effort > 0)
                {
                    servo.SetAttributeValue("forcerange", $"{Format(-limit.Effort)} {Format(limit.Effort)}");
                }
                actuators.Add(servo);
            }
            else
            {
                actuators.Add(new XElement("velocity",
                    new XAttribute("name", SceneNames.ServoOf(joint)),
                    new XAttribute("joint", joint),
                    new XAttribute("kv", "0")));
            }
        }
        // Wheel and base speed servos are joint damping plus a fed-forward force (the twin writes it into
        // qfrc_applied), which MuJoCo integrates implicitly; these zero-gain actuators only name them.
        actuators.Add(Velocity(SceneNames.BaseX));
        actuators.Add(Velocity(SceneNames.BaseY));
        actuators.Add(Velocity(SceneNames.BaseYaw));
        return actuators;

        static XElement Velocity(string joint) => new("velocity",
            new XAttribute("name", SceneNames.ServoOf(joint)), new XAttribute("joint", joint), new XAttribute("kv", "0"));
    }

    /// <summary>"home": robot in <see cref="HomePose"/>, servos holding it, objects where the template puts them.
    /// Positions are written by name into a qpos built in MuJoCo's joint order (the order of the MJCF).</summary>
    private static XElement BuildHomeKeyframe(XDocument scene)
    {
        var qpos = new List<string>();
        var ctrl = new List<string>();
        foreach (XElement body in scene.Root!.Element("worldbody")!.Descendants("body"))
        {
            foreach (XElement joint in body.Elements().Where(e => e.Name == "joint" || e.Name == "freejoint"))
            {
                if (joint.Name == "freejoint" || (string?)joint.Attribute("type") == "free")
                {
                    string[] pos = ((string?)body.Attribute("pos") ?? "0 0 0").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    qpos.AddRange(pos);
                    qpos.AddRange(["1", "0", "0", "0"]);
                    continue;
                }
                string name = (string?)joint.Attribute("name") ?? "";
                double value = HomePose.TryGetValue(name, out double v) ? v : 0.0;
                qpos.Add(Format(value));
            }
        }
        foreach (string joint in FetchJoints.All)
        {
            ctrl.Add(Format(ServoTuning.PositionServos.ContainsKey(joint) && HomePose.TryGetValue(joint, out double v) ? v : 0.0));
        }
        ctrl.AddRange(["0", "0", "0"]);
        return new XElement("keyframe", new XElement("key",
            new XAttribute("name", SceneNames.HomeKey),
            new XAttribute("qpos", string.Join(' ', qpos)),
            new XAttribute("ctrl", string.Join(' ', ctrl))));
    }

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>The scene could not be assembled; the message names the file and what was wrong.</summary>
public sealed class SceneBuildException(string message) : Exception(message);
