using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace RobotBridge.Model;

/// <summary>
/// Reads URDF (XML) into a <see cref="RobotModel"/>. Every fault in the input — XML syntax, a missing or
/// non-numeric attribute, NaN, an unknown joint type, a zero axis, lower &gt; upper, a dangling link
/// reference, a loop, two roots — is reported as a <see cref="UrdfFormatException"/> naming the file, the
/// line and the fault. Elements this model does not use (transmission, gazebo, …) are ignored.
/// </summary>
public static class UrdfLoader
{
    public static RobotModel Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UrdfFormatException(path, 0, $"cannot read the file: {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses URDF text; <paramref name="source"/> names it in error messages.</summary>
    public static RobotModel Parse(string xml, string source = "<urdf>")
    {
        XDocument doc;
        try
        {
            doc = XDocument.Parse(xml, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw new UrdfFormatException(source, e.LineNumber, $"not well-formed XML: {e.Message}", e);
        }
        return new Reader(source).Read(doc);
    }

    private sealed class Reader(string source)
    {
        private readonly Dictionary<string, Material> _materials = new(StringComparer.Ordinal);

        private UrdfFormatException Error(XObject? at, string problem) =>
            new(source, at is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0, problem);

        public RobotModel Read(XDocument doc)
        {
            XElement robot = doc.Root!;
            if (robot.Name.LocalName != "robot")
            {
                throw Error(robot, $"the root element is <{robot.Name.LocalName}>, expected <robot>");
            }
            string name = RequiredName(robot, "robot");

            var materials = new List<Material>();
            foreach (XElement m in robot.Elements("material"))
            {
                Material material = ReadMaterial(m, "robot");
                if (!_materials.TryAdd(material.Name, material))
                {
                    throw Error(m, $"material '{material.Name}' is defined twice");
                }
                materials.Add(material);
            }

            var links = new List<Link>();
            var linkByName = new Dictionary<string, Link>(StringComparer.Ordinal);
            foreach (XElement l in robot.Elements("link"))
            {
                Link link = ReadLink(l, links.Count);
                if (!linkByName.TryAdd(link.Name, link))
                {
                    throw Error(l, $"link '{link.Name}' is defined twice");
                }
                links.Add(link);
            }
            if (links.Count == 0)
            {
                throw Error(robot, $"robot '{name}' has no <link>");
            }

            var joints = new List<Joint>();
            var jointByName = new Dictionary<string, Joint>(StringComparer.Ordinal);
            var children = links.ToDictionary(l => l, _ => new List<Joint>());
            foreach (XElement j in robot.Elements("joint"))
            {
                Joint joint = ReadJoint(j, joints.Count, linkByName);
                if (!jointByName.TryAdd(joint.Name, joint))
                {
                    throw Error(j, $"joint '{joint.Name}' is defined twice");
                }
                if (joint.Child.ParentJoint is Joint other)
                {
                    throw Error(j, $"joint '{joint.Name}': link '{joint.Child.Name}' is already the child of joint '{other.Name}' (a link has one parent; two make a loop)");
                }
                joint.Child.ParentJoint = joint;
                children[joint.Parent].Add(joint);
                joints.Add(joint);
            }
            foreach (Link link in links)
            {
                link.ChildJoints = children[link];
            }

            Link root = FindRoot(robot, links);
            List<Joint> treeOrder = TreeOrder(root, links, joints);
            ResolveMimics(joints, jointByName);
            List<JointVariable> variables = AssignVariables(joints);
            return new RobotModel(name, source, links, joints, materials, root, variables, treeOrder);
        }

        private Link FindRoot(XElement robot, List<Link> links)
        {
            var roots = links.Where(l => l.ParentJoint == null).ToList();
            if (roots.Count == 0)
            {
                // Every link has a parent: walking up from any link must come back round. Name that cycle.
                var seen = new HashSet<Link>();
                Link at = links[0];
                while (seen.Add(at))
                {
                    at = at.ParentJoint!.Parent;
                }
                var cycle = new List<Joint>();
                Link walk = at;
                do
                {
                    cycle.Add(walk.ParentJoint!);
                    walk = walk.ParentJoint!.Parent;
                }
                while (walk != at);
                Joint last = cycle.MaxBy(j => j.Line)!;
                throw new UrdfFormatException(source, last.Line,
                    $"joints {string.Join(", ", cycle.OrderBy(j => j.Line).Select(j => $"'{j.Name}'"))} form a loop, so there is no root link");
            }
            if (roots.Count > 1)
            {
                throw Error(robot, $"{roots.Count} root links ({string.Join(", ", roots.Take(5).Select(r => $"'{r.Name}'"))}); a robot is one tree, join them with joints");
            }
            return roots[0];
        }

        private List<Joint> TreeOrder(Link root, List<Link> links, List<Joint> joints)
        {
            var order = new List<Joint>(joints.Count);
            var reached = new bool[links.Count];
            var stack = new Stack<Link>();
            stack.Push(root);
            reached[root.Index] = true;
            while (stack.Count > 0)
            {
                Link link = stack.Pop();
                for (int i = link.ChildJoints.Count - 1; i >= 0; i--)
                {
                    Joint j = link.ChildJoints[i];
                    order.Add(j);
                    reached[j.Child.Index] = true;
                    stack.Push(j.Child);
                }
            }
            // One parent per link and one root, yet unreachable links: they hang in a cycle of their own.
            foreach (Joint j in joints)
            {
                if (!reached[j.Child.Index])
                {
                    throw new UrdfFormatException(source, j.Line, $"joint '{j.Name}' is part of a loop: link '{j.Child.Name}' cannot be reached from the root link '{root.Name}'");
                }
            }
            return order;
        }

        private void ResolveMimics(List<Joint> joints, Dictionary<string, Joint> byName)
        {
            foreach (Joint j in joints)
            {
                if (j.Mimic is not JointMimic mimic)
                {
                    continue;
                }
                if (!byName.TryGetValue(mimic.Joint, out Joint? master))
                {
                    throw new UrdfFormatException(source, j.Line, $"joint '{j.Name}': mimic refers to joint '{mimic.Joint}', which does not exist");
                }
                if (master == j)
                {
                    throw new UrdfFormatException(source, j.Line, $"joint '{j.Name}': mimics itself");
                }
                if (master.Mimic != null)
                {
                    throw new UrdfFormatException(source, j.Line, $"joint '{j.Name}': mimics '{master.Name}', which is itself a mimic joint (chained mimics are not supported)");
                }
                if (j.DegreesOfFreedom != 1 || master.DegreesOfFreedom != 1)
                {
                    throw new UrdfFormatException(source, j.Line, $"joint '{j.Name}': mimic needs two single-variable joints, here {j.Type} mimicking {master.Type}");
                }
                j.MimicSource = master;
            }
        }

        private static List<JointVariable> AssignVariables(List<Joint> joints)
        {
            var variables = new List<JointVariable>();
            foreach (Joint j in joints)
            {
                if (j.Type == JointType.Fixed || j.Mimic != null)
                {
                    continue;
                }
                j.VariableIndex = variables.Count;
                j.VariableCount = j.DegreesOfFreedom;
                switch (j.Type)
                {
                    case JointType.Floating:
                        foreach (string s in new[] { "x", "y", "z" })
                        {
                            variables.Add(new JointVariable($"{j.Name}/{s}", j, variables.Count, double.NegativeInfinity, double.PositiveInfinity, false));
                        }
                        foreach (string s in new[] { "roll", "pitch", "yaw" })
                        {
                            variables.Add(new JointVariable($"{j.Name}/{s}", j, variables.Count, double.NegativeInfinity, double.PositiveInfinity, true));
                        }
                        break;
                    case JointType.Planar:
                        variables.Add(new JointVariable($"{j.Name}/x", j, variables.Count, double.NegativeInfinity, double.PositiveInfinity, false));
                        variables.Add(new JointVariable($"{j.Name}/y", j, variables.Count, double.NegativeInfinity, double.PositiveInfinity, false));
                        variables.Add(new JointVariable($"{j.Name}/theta", j, variables.Count, double.NegativeInfinity, double.PositiveInfinity, true));
                        break;
                    default:
                        double lower = j.Type == JointType.Continuous ? double.NegativeInfinity : j.Limits?.Lower ?? double.NegativeInfinity;
                        double upper = j.Type == JointType.Continuous ? double.PositiveInfinity : j.Limits?.Upper ?? double.PositiveInfinity;
                        variables.Add(new JointVariable(j.Name, j, variables.Count, lower, upper, j.Type != JointType.Prismatic));
                        break;
                }
            }
            return variables;
        }

        private Link ReadLink(XElement e, int index)
        {
            string name = RequiredName(e, "link");
            string what = $"link '{name}'";
            Inertial? inertial = null;
            foreach (XElement i in e.Elements("inertial"))
            {
                if (inertial != null)
                {
                    throw Error(i, $"{what}: more than one <inertial>");
                }
                inertial = ReadInertial(i, what);
            }
            var visuals = new List<Visual>();
            foreach (XElement v in e.Elements("visual"))
            {
                XElement? m = v.Element("material");
                visuals.Add(new Visual(v.Attribute("name")?.Value, ReadOrigin(v, what), ReadGeometry(v, what),
                    m == null ? null : ReadMaterialReference(m, what)));
            }
            var collisions = new List<Collision>();
            foreach (XElement c in e.Elements("collision"))
            {
                collisions.Add(new Collision(c.Attribute("name")?.Value, ReadOrigin(c, what), ReadGeometry(c, what)));
            }
            return new Link(name, index, inertial, visuals, collisions);
        }

        private Inertial ReadInertial(XElement e, string what)
        {
            XElement mass = RequiredChild(e, "mass", what);
            double m = Number(mass, "value", what);
            if (m < 0)
            {
                throw Error(mass.Attribute("value"), $"{what}: mass {Format(m)} is negative");
            }
            XElement i = RequiredChild(e, "inertia", what);
            return new Inertial(ReadOrigin(e, what), m,
                Number(i, "ixx", what), Number(i, "ixy", what), Number(i, "ixz", what),
                Number(i, "iyy", what), Number(i, "iyz", what), Number(i, "izz", what));
        }

        private Geometry ReadGeometry(XElement parent, string what)
        {
            XElement g = RequiredChild(parent, "geometry", what);
            var shapes = g.Elements().ToList();
            if (shapes.Count != 1)
            {
                throw Error(g, $"{what}: <geometry> must hold exactly one shape, found {shapes.Count}");
            }
            XElement s = shapes[0];
            switch (s.Name.LocalName)
            {
                case "box":
                    Vec3 size = Vector(s, "size", what, required: true, fallback: default);
                    if (size.X <= 0 || size.Y <= 0 || size.Z <= 0)
                    {
                        throw Error(s.Attribute("size"), $"{what}: box size {size} must be positive");
                    }
                    return new BoxGeometry(size);
                case "cylinder":
                    return new CylinderGeometry(Positive(s, "radius", what), Positive(s, "length", what));
                case "sphere":
                    return new SphereGeometry(Positive(s, "radius", what));
                case "mesh":
                    string file = s.Attribute("filename")?.Value is { Length: > 0 } f ? f
                        : throw Error(s, $"{what}: <mesh> needs a filename attribute");
                    return new MeshGeometry(file, Vector(s, "scale", what, required: false, fallback: new Vec3(1, 1, 1)));
                default:
                    throw Error(s, $"{what}: unknown geometry <{s.Name.LocalName}> (expected box, cylinder, sphere or mesh)");
            }
        }

        private Material ReadMaterial(XElement e, string what)
        {
            string name = e.Attribute("name")?.Value ?? throw Error(e, $"{what}: <material> needs a name attribute");
            Rgba? color = null;
            if (e.Element("color") is XElement c)
            {
                double[] rgba = Numbers(c, "rgba", 4, what, required: true)!;
                foreach (double v in rgba)
                {
                    if (v < 0 || v > 1)
                    {
                        throw Error(c.Attribute("rgba"), $"{what}: material '{name}' colour channel {Format(v)} is outside [0, 1]");
                    }
                }
                color = new Rgba(rgba[0], rgba[1], rgba[2], rgba[3]);
            }
            string? texture = e.Element("texture")?.Attribute("filename")?.Value;
            return new Material(name, color, texture);
        }

        private Material ReadMaterialReference(XElement e, string what)
        {
            Material inline = ReadMaterial(e, what);
            if (inline.Color == null && inline.Texture == null)
            {
                return _materials.TryGetValue(inline.Name, out Material? known) ? known
                    : throw Error(e, $"{what}: material '{inline.Name}' is not defined at robot level and has no colour or texture");
            }
            return inline;
        }

        private Joint ReadJoint(XElement e, int index, Dictionary<string, Link> links)
        {
            string name = RequiredName(e, "joint");
            string what = $"joint '{name}'";
            string typeText = e.Attribute("type")?.Value ?? throw Error(e, $"{what}: missing type attribute");
            JointType type = typeText switch
            {
                "fixed" => JointType.Fixed,
                "revolute" => JointType.Revolute,
                "continuous" => JointType.Continuous,
                "prismatic" => JointType.Prismatic,
                "floating" => JointType.Floating,
                "planar" => JointType.Planar,
                _ => throw Error(e.Attribute("type"), $"{what}: unknown joint type '{typeText}' (expected fixed, revolute, continuous, prismatic, floating or planar)"),
            };
            Link parent = LinkReference(e, "parent", what, links);
            Link child = LinkReference(e, "child", what, links);
            if (parent == child)
            {
                throw Error(e, $"{what}: parent and child are both link '{parent.Name}' (a loop)");
            }

            Vec3 axis = Vec3.UnitX;
            if (e.Element("axis") is XElement a)
            {
                axis = Vector(a, "xyz", what, required: false, fallback: Vec3.UnitX);
                double n = axis.Length;
                if (n < 1e-12)
                {
                    throw Error(a, $"{what}: axis {axis} is zero");
                }
                if (!double.IsFinite(n))
                {
                    throw Error(a, $"{what}: axis {axis} is too large to normalise");
                }
                axis = axis.Normalized();
            }

            JointLimits? limits = null;
            if (e.Element("limit") is XElement l)
            {
                double lower = OptionalNumber(l, "lower", what, 0);
                double upper = OptionalNumber(l, "upper", what, 0);
                bool hasPositionLimits = type is JointType.Revolute or JointType.Prismatic;
                if (hasPositionLimits && lower > upper)
                {
                    throw Error(l, $"{what}: limit lower {Format(lower)} is greater than upper {Format(upper)}");
                }
                double effort = OptionalNumber(l, "effort", what, 0);
                double velocity = OptionalNumber(l, "velocity", what, 0);
                if (effort < 0 || velocity < 0)
                {
                    throw Error(l, $"{what}: limit effort {Format(effort)} and velocity {Format(velocity)} must not be negative");
                }
                limits = hasPositionLimits
                    ? new JointLimits(lower, upper, effort, velocity)
                    : new JointLimits(double.NegativeInfinity, double.PositiveInfinity, effort, velocity);
            }
            else if (type is JointType.Revolute or JointType.Prismatic)
            {
                throw Error(e, $"{what}: a {typeText} joint needs a <limit> element with lower and upper");
            }

            JointDynamics? dynamics = null;
            if (e.Element("dynamics") is XElement d)
            {
                dynamics = new JointDynamics(OptionalNumber(d, "damping", what, 0), OptionalNumber(d, "friction", what, 0));
            }
            JointMimic? mimic = null;
            if (e.Element("mimic") is XElement m)
            {
                string master = m.Attribute("joint")?.Value is { Length: > 0 } s ? s : throw Error(m, $"{what}: <mimic> needs a joint attribute");
                mimic = new JointMimic(master, OptionalNumber(m, "multiplier", what, 1), OptionalNumber(m, "offset", what, 0));
            }
            int line = e is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;
            return new Joint(name, index, type, parent, child, ReadOrigin(e, what), axis, limits, dynamics, mimic, line);
        }

        private Link LinkReference(XElement joint, string role, string what, Dictionary<string, Link> links)
        {
            XElement? e = joint.Element(role);
            if (e == null)
            {
                throw Error(joint, $"{what}: missing <{role}> link");
            }
            string name = e.Attribute("link")?.Value ?? throw Error(e, $"{what}: <{role}> needs a link attribute");
            return links.TryGetValue(name, out Link? link) ? link
                : throw Error(e, $"{what}: {role} link '{name}' is not defined");
        }

        private RigidTransform ReadOrigin(XElement parent, string what)
        {
            XElement? o = parent.Element("origin");
            if (o == null)
            {
                return RigidTransform.Identity;
            }
            return RigidTransform.FromXyzRpy(
                Vector(o, "xyz", what, required: false, fallback: Vec3.Zero),
                Vector(o, "rpy", what, required: false, fallback: Vec3.Zero));
        }

        private string RequiredName(XElement e, string kind) =>
            e.Attribute("name")?.Value is { Length: > 0 } n ? n : throw Error(e, $"<{kind}> needs a non-empty name attribute");

        private XElement RequiredChild(XElement e, string child, string what) =>
            e.Element(child) ?? throw Error(e, $"{what}: <{e.Name.LocalName}> needs a <{child}> element");

        private double Positive(XElement e, string attribute, string what)
        {
            double v = Number(e, attribute, what);
            return v > 0 ? v : throw Error(e.Attribute(attribute), $"{what}: <{e.Name.LocalName}> {attribute} {Format(v)} must be positive");
        }

        private double Number(XElement e, string attribute, string what)
        {
            XAttribute a = e.Attribute(attribute) ?? throw Error(e, $"{what}: <{e.Name.LocalName}> needs a {attribute} attribute");
            return ParseNumber(a, a.Value, what);
        }

        private double OptionalNumber(XElement e, string attribute, string what, double fallback)
        {
            XAttribute? a = e.Attribute(attribute);
            return a == null ? fallback : ParseNumber(a, a.Value, what);
        }

        private Vec3 Vector(XElement e, string attribute, string what, bool required, Vec3 fallback)
        {
            double[]? v = Numbers(e, attribute, 3, what, required);
            return v == null ? fallback : new Vec3(v[0], v[1], v[2]);
        }

        private double[]? Numbers(XElement e, string attribute, int count, string what, bool required)
        {
            XAttribute? a = e.Attribute(attribute);
            if (a == null)
            {
                return required ? throw Error(e, $"{what}: <{e.Name.LocalName}> needs a {attribute} attribute") : null;
            }
            string[] parts = a.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != count)
            {
                throw Error(a, $"{what}: <{e.Name.LocalName}> {attribute}=\"{Clip(a.Value)}\" needs {count} numbers, found {parts.Length}");
            }
            var values = new double[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = ParseNumber(a, parts[i], what);
            }
            return values;
        }

        private double ParseNumber(XAttribute a, string text, string what)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                throw Error(a, $"{what}: <{a.Parent?.Name.LocalName}> {a.Name.LocalName}: '{Clip(text)}' is not a number");
            }
            if (!double.IsFinite(v))
            {
                throw Error(a, $"{what}: <{a.Parent?.Name.LocalName}> {a.Name.LocalName}: '{Clip(text)}' is not a finite number");
            }
            return v;
        }

        private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";

        private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    }
}
