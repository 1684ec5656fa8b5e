using System.Text.Json;

namespace RobotBridge.Model;

/// <summary>
/// Writes a <see cref="RobotModel"/> as JSON for other programs (`robotbridge model --json`): links with
/// inertials and geometry, joints with origin (xyz, rpy), axis, limits, dynamics, mimic, and the joint
/// vector's variables. Missing limits (±∞) are written as null. Lengths in m, angles in rad, mass in kg.
/// </summary>
public static class RobotModelJson
{
    public static void Write(Utf8JsonWriter w, RobotModel model)
    {
        w.WriteStartObject();
        w.WriteString("name", model.Name);
        w.WriteString("source", model.Source);
        w.WriteString("root", model.Root.Name);
        w.WriteStartArray("variables");
        foreach (JointVariable v in model.Variables)
        {
            w.WriteStartObject();
            w.WriteString("name", v.Name);
            w.WriteString("joint", v.Joint.Name);
            w.WriteNumber("index", v.Index);
            WriteLimit(w, "lower", v.Lower);
            WriteLimit(w, "upper", v.Upper);
            w.WriteString("unit", v.IsAngle ? "rad" : "m");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("links");
        foreach (Link link in model.Links)
        {
            WriteLink(w, link);
        }
        w.WriteEndArray();
        w.WriteStartArray("joints");
        foreach (Joint joint in model.Joints)
        {
            WriteJoint(w, joint);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static string ToJson(RobotModel model, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            Write(w, model);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A pose as {"xyz", "quaternion_xyzw", "rpy", "matrix" (4x4 row-major)}.</summary>
    public static void WritePose(Utf8JsonWriter w, in RigidTransform pose)
    {
        WriteVector(w, "xyz", pose.Translation);
        var (x, y, z, qw) = pose.Rotation.ToQuaternion();
        w.WriteStartArray("quaternion_xyzw");
        w.WriteNumberValue(x);
        w.WriteNumberValue(y);
        w.WriteNumberValue(z);
        w.WriteNumberValue(qw);
        w.WriteEndArray();
        WriteVector(w, "rpy", pose.Rotation.ToRpy());
        double[,] m = pose.ToMatrix();
        w.WriteStartArray("matrix");
        for (int r = 0; r < 4; r++)
        {
            w.WriteStartArray();
            for (int c = 0; c < 4; c++)
            {
                w.WriteNumberValue(m[r, c]);
            }
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static void WriteLink(Utf8JsonWriter w, Link link)
    {
        w.WriteStartObject();
        w.WriteString("name", link.Name);
        if (link.ParentJoint is Joint parent)
        {
            w.WriteString("parent_joint", parent.Name);
        }
        else
        {
            w.WriteNull("parent_joint");
        }
        if (link.Inertial is Inertial i)
        {
            w.WriteStartObject("inertial");
            w.WriteNumber("mass", i.Mass);
            WriteOrigin(w, i.Origin);
            w.WriteStartObject("inertia");
            w.WriteNumber("ixx", i.Ixx);
            w.WriteNumber("ixy", i.Ixy);
            w.WriteNumber("ixz", i.Ixz);
            w.WriteNumber("iyy", i.Iyy);
            w.WriteNumber("iyz", i.Iyz);
            w.WriteNumber("izz", i.Izz);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("inertial");
        }
        w.WriteStartArray("visuals");
        foreach (Visual v in link.Visuals)
        {
            w.WriteStartObject();
            WriteOrigin(w, v.Origin);
            WriteGeometry(w, v.Geometry);
            if (v.Material is Material m)
            {
                w.WriteStartObject("material");
                w.WriteString("name", m.Name);
                if (m.Color is Rgba c)
                {
                    w.WriteStartArray("rgba");
                    w.WriteNumberValue(c.R);
                    w.WriteNumberValue(c.G);
                    w.WriteNumberValue(c.B);
                    w.WriteNumberValue(c.A);
                    w.WriteEndArray();
                }
                if (m.Texture != null)
                {
                    w.WriteString("texture", m.Texture);
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("collisions");
        foreach (Collision c in link.Collisions)
        {
            w.WriteStartObject();
            WriteOrigin(w, c.Origin);
            WriteGeometry(w, c.Geometry);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteJoint(Utf8JsonWriter w, Joint j)
    {
        w.WriteStartObject();
        w.WriteString("name", j.Name);
        w.WriteString("type", j.Type.ToString().ToLowerInvariant());
        w.WriteString("parent", j.Parent.Name);
        w.WriteString("child", j.Child.Name);
        WriteOrigin(w, j.Origin);
        WriteVector(w, "axis", j.Axis);
        if (j.Limits is JointLimits l)
        {
            w.WriteStartObject("limit");
            WriteLimit(w, "lower", l.Lower);
            WriteLimit(w, "upper", l.Upper);
            w.WriteNumber("effort", l.Effort);
            w.WriteNumber("velocity", l.Velocity);
            w.WriteEndObject();
        }
        if (j.Dynamics is JointDynamics d)
        {
            w.WriteStartObject("dynamics");
            w.WriteNumber("damping", d.Damping);
            w.WriteNumber("friction", d.Friction);
            w.WriteEndObject();
        }
        if (j.Mimic is JointMimic m)
        {
            w.WriteStartObject("mimic");
            w.WriteString("joint", m.Joint);
            w.WriteNumber("multiplier", m.Multiplier);
            w.WriteNumber("offset", m.Offset);
            w.WriteEndObject();
        }
        w.WriteNumber("variable_index", j.VariableIndex);
        w.WriteNumber("variable_count", j.VariableCount);
        w.WriteEndObject();
    }

    private static void WriteGeometry(Utf8JsonWriter w, Geometry g)
    {
        w.WriteStartObject("geometry");
        switch (g)
        {
            case BoxGeometry b:
                w.WriteString("type", "box");
                WriteVector(w, "size", b.Size);
                break;
            case CylinderGeometry c:
                w.WriteString("type", "cylinder");
                w.WriteNumber("radius", c.Radius);
                w.WriteNumber("length", c.Length);
                break;
            case SphereGeometry s:
                w.WriteString("type", "sphere");
                w.WriteNumber("radius", s.Radius);
                break;
            case MeshGeometry m:
                w.WriteString("type", "mesh");
                w.WriteString("filename", m.Filename);
                WriteVector(w, "scale", m.Scale);
                break;
        }
        w.WriteEndObject();
    }

    private static void WriteOrigin(Utf8JsonWriter w, in RigidTransform origin)
    {
        w.WriteStartObject("origin");
        WriteVector(w, "xyz", origin.Translation);
        WriteVector(w, "rpy", origin.Rotation.ToRpy());
        w.WriteEndObject();
    }

    private static void WriteVector(Utf8JsonWriter w, string name, in Vec3 v)
    {
        w.WriteStartArray(name);
        w.WriteNumberValue(v.X);
        w.WriteNumberValue(v.Y);
        w.WriteNumberValue(v.Z);
        w.WriteEndArray();
    }

    private static void WriteLimit(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
