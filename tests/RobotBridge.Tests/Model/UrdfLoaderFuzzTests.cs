using System.Text;
using RobotBridge.Model;
using RobotBridge.Model.Kinematics;

namespace RobotBridge.Tests.Model;

/// <summary>
/// Mutated copies of urdf/fetch.urdf: the loader either returns a model or throws
/// <see cref="UrdfFormatException"/> — never anything else — and any model it returns is usable.
/// </summary>
public class UrdfLoaderFuzzTests
{
    private static readonly string[] Tokens =
    [
        "NaN", "-inf", "1e999", "", " ", "abc", "0 0", "1 2 3 4", "-1", "0", "<", ">", "\"", "&amp;", "&bogus;",
        "<link name=\"x\"/>", "</joint>", "<joint name=\"j\" type=\"fixed\"/>", "type=\"planar\"", "type=\"floating\"",
        "type=\"weird\"", "link=\"base_link\"", "link=\"gripper_link\"", "<mimic joint=\"bellows_joint\"/>",
        "<mimic joint=\"torso_lift_joint\" multiplier=\"x\"/>", "<axis xyz=\"0 0 0\"/>", "<limit lower=\"2\" upper=\"1\"/>",
        "<geometry/>", "<mesh/>", "<box size=\"0 1 1\"/>", "name=\"\"", "\u0000", "\uFFFF", "<!--", "-->",
    ];

    [Fact]
    public void Mutated_urdf_never_throws_anything_but_the_loader_error()
    {
        string original = File.ReadAllText(FetchModel.Locate());
        var random = new Random(20261127);
        int loaded = 0, rejected = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            string mutated = Mutate(original, random, 1 + random.Next(4));
            try
            {
                RobotModel model = UrdfLoader.Parse(mutated, "fuzz.urdf");
                loaded++;
                Exercise(model);
            }
            catch (UrdfFormatException e)
            {
                rejected++;
                Assert.StartsWith("fuzz.urdf", e.Message);
            }
        }
        // Both outcomes must occur, or the mutations are not testing anything.
        Assert.True(loaded > 100 && rejected > 100, $"loaded {loaded}, rejected {rejected}");
    }

    /// <summary>A returned model must work: FK of every link and a Jacobian, finite for finite input.</summary>
    private static void Exercise(RobotModel model)
    {
        var q = model.CreateHomeVector();
        var fk = new ForwardKinematics(model);
        fk.Compute(q);
        foreach (Link link in model.Links)
        {
            Assert.True(fk.PoseOf(link).Translation.IsFinite, link.Name);
        }
        Link tip = model.Links[^1];
        new KinematicChain(model, tip).Jacobian(q, new double[6 * model.VariableCount]);
    }

    private static string Mutate(string text, Random random, int mutations)
    {
        var s = new StringBuilder(text);
        for (int m = 0; m < mutations; m++)
        {
            int at = random.Next(s.Length);
            int length = Math.Min(s.Length - at, 1 + random.Next(30));
            switch (random.Next(6))
            {
                case 0: // delete a span
                    s.Remove(at, length);
                    break;
                case 1: // insert a token
                    s.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 2: // replace a span by a token
                    s.Remove(at, length).Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 3: // duplicate a span elsewhere
                    string span = s.ToString(at, length);
                    s.Insert(random.Next(s.Length), span);
                    break;
                case 4: // replace an attribute value with a token (keeps the XML well-formed more often)
                    ReplaceAttributeValue(s, random);
                    break;
                default: // flip one character
                    s[at] = (char)random.Next(32, 127);
                    break;
            }
            if (s.Length == 0)
            {
                break;
            }
        }
        return s.ToString();
    }

    private static void ReplaceAttributeValue(StringBuilder s, Random random)
    {
        string text = s.ToString();
        int start = text.IndexOf("=\"", random.Next(text.Length), StringComparison.Ordinal);
        if (start < 0)
        {
            return;
        }
        int end = text.IndexOf('"', start + 2);
        if (end < 0)
        {
            return;
        }
        string[] values = ["NaN", "nan", "Infinity", "1e400", "-0", "0 0 0", "1 1", "abc", "", "base_link", "torso_lift_joint",
            "gripper_link", "revolute", "continuous", "prismatic", "planar", "floating", "fixed", "2 -1", "-5"];
        s.Remove(start + 2, end - start - 2).Insert(start + 2, values[random.Next(values.Length)]);
    }
}
