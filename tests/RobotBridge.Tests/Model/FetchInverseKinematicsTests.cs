using RobotBridge.Model;
using RobotBridge.Model.Kinematics;
using RobotBridge.Robots;
using Xunit.Abstractions;

namespace RobotBridge.Tests.Model;

public class FetchInverseKinematicsTests(ITestOutputHelper output)
{
    private readonly RobotModel _fetch = FetchModel.Load();

    /// <summary>A valid joint vector: subset joints uniform in their limits (continuous ones in ±π), others at home.</summary>
    private double[] RandomJoints(Random random, IReadOnlyList<string> joints)
    {
        double[] q = _fetch.CreateHomeVector();
        foreach (string name in joints)
        {
            JointVariable v = _fetch.Variables[_fetch.VariableIndexOf(name)];
            double lo = double.IsFinite(v.Lower) ? v.Lower : -Math.PI;
            double hi = double.IsFinite(v.Upper) ? v.Upper : Math.PI;
            q[v.Index] = lo + (hi - lo) * random.NextDouble();
        }
        return q;
    }

    [Fact]
    public void Arm_reaches_1000_random_reachable_positions_within_1mm_and_stays_in_limits()
    {
        var ik = new IkSolver(_fetch, "gripper_link", FetchJoints.Arm);
        var chain = new KinematicChain(_fetch, "gripper_link");
        var random = new Random(1234);
        double[] solution = new double[_fetch.VariableCount];
        int failures = 0, iterations = 0, restarted = 0, maxRestarts = 0;
        double worst = 0;
        for (int i = 0; i < 1000; i++)
        {
            double[] goal = RandomJoints(random, FetchJoints.Arm);
            goal[_fetch.VariableIndexOf(FetchJoints.TorsoLift)] = 0.38615 * random.NextDouble();
            Vec3 target = chain.Pose(goal).Translation;
            // Seed: the same torso (IK may not move it), arm at the tuck-free home pose.
            double[] seed = _fetch.CreateHomeVector();
            seed[_fetch.VariableIndexOf(FetchJoints.TorsoLift)] = goal[_fetch.VariableIndexOf(FetchJoints.TorsoLift)];

            IkResult result = ik.SolvePosition(target, seed, solution);

            Assert.True(_fetch.IsWithinLimits(solution), $"target {i}: solution left the joint limits");
            if (!result.Success)
            {
                failures++;
                continue;
            }
            double error = (chain.Pose(solution).Translation - target).Length;
            worst = Math.Max(worst, error);
            iterations += result.Iterations;
            restarted += result.Restarts > 0 ? 1 : 0;
            maxRestarts = Math.Max(maxRestarts, result.Restarts);
            Assert.Equal(seed[_fetch.VariableIndexOf(FetchJoints.TorsoLift)], solution[_fetch.VariableIndexOf(FetchJoints.TorsoLift)]);
        }
        output.WriteLine($"1000 targets: {failures} failed, worst error {worst:E2} m, mean {iterations / 1000.0:F1} iterations, {restarted} needed restarts (max {maxRestarts})");
        Assert.Equal(0, failures);
        Assert.True(worst <= 1e-3, $"worst reached error {worst} m");
    }

    [Fact]
    public void Torso_and_arm_reach_random_full_poses()
    {
        var ik = new IkSolver(_fetch, "gripper_link", FetchJoints.ArmWithTorso);
        var chain = new KinematicChain(_fetch, "gripper_link");
        var random = new Random(99);
        double[] solution = new double[_fetch.VariableCount];
        for (int i = 0; i < 100; i++)
        {
            RigidTransform target = chain.Pose(RandomJoints(random, FetchJoints.ArmWithTorso));
            IkResult result = ik.SolvePose(target, _fetch.CreateHomeVector(), solution);
            Assert.True(result.Success, $"pose {i}: {result}");
            RigidTransform reached = chain.Pose(solution);
            Assert.True((reached.Translation - target.Translation).Length <= 1e-3);
            Assert.True((target.Rotation * reached.Rotation.Transposed).ToRotationVector().Length <= 2e-3);
            Assert.True(_fetch.IsWithinLimits(solution));
        }
    }

    [Theory]
    [InlineData(3.0, 0.0, 0.8)]     // beyond the 1.1 m reach
    [InlineData(0.0, 0.0, -1.0)]    // under the floor, out of reach
    [InlineData(-1.2, 0.0, 0.8)]    // behind the robot: shoulder pan is limited to ±1.6 rad
    public void Unreachable_positions_are_reported_and_the_seed_is_returned(double x, double y, double z)
    {
        var ik = new IkSolver(_fetch, "gripper_link", FetchJoints.Arm);
        double[] seed = _fetch.CreateHomeVector();
        seed[_fetch.VariableIndexOf(FetchJoints.ElbowFlex)] = 0.3;
        double[] solution = new double[_fetch.VariableCount];

        IkResult result = ik.SolvePosition(new Vec3(x, y, z), seed, solution);

        Assert.Equal(IkStatus.NotReached, result.Status);
        Assert.True(result.PositionError > 1e-3);
        Assert.Equal(seed, solution);
    }

    [Fact]
    public void Non_finite_target_is_invalid_input()
    {
        var ik = new IkSolver(_fetch, "gripper_link", FetchJoints.Arm);
        double[] seed = _fetch.CreateHomeVector();
        double[] solution = new double[_fetch.VariableCount];
        Assert.Equal(IkStatus.InvalidInput, ik.SolvePosition(new Vec3(double.NaN, 0, 1), seed, solution).Status);
        Assert.Equal(seed, solution);
    }

    [Fact]
    public void Small_displacement_steps_follow_a_straight_line_from_the_current_joints()
    {
        var ik = new IkSolver(_fetch, "gripper_link", FetchJoints.Arm);
        var chain = new KinematicChain(_fetch, "gripper_link");
        double[] q = _fetch.CreateHomeVector();
        q[_fetch.VariableIndexOf(FetchJoints.ShoulderLift)] = 0.4;
        q[_fetch.VariableIndexOf(FetchJoints.ElbowFlex)] = 1.2;
        q[_fetch.VariableIndexOf(FetchJoints.WristFlex)] = 0.6;
        double[] next = new double[q.Length];
        Vec3 start = chain.Pose(q).Translation;
        var step = new Vec3(0.004, -0.002, 0.003); // 25 Hz, ~13 cm/s
        for (int i = 0; i < 50; i++)
        {
            IkResult r = ik.SolvePositionStep(q, step, next);
            Assert.True(r.Success, $"step {i}: {r}");
            // Warm start: a small displacement needs a small joint change.
            double change = 0;
            for (int k = 0; k < q.Length; k++)
            {
                change = Math.Max(change, Math.Abs(next[k] - q[k]));
            }
            Assert.True(change < 0.1, $"step {i} moved a joint by {change} rad");
            next.CopyTo(q, 0);
        }
        Vec3 expected = start + 50 * step;
        Assert.True((chain.Pose(q).Translation - expected).Length < 1e-3);
    }

    [Fact]
    public void Pose_step_rotates_the_gripper_in_place()
    {
        var ik = new IkSolver(_fetch, "gripper_link", FetchJoints.Arm);
        var chain = new KinematicChain(_fetch, "gripper_link");
        double[] q = _fetch.CreateHomeVector();
        q[_fetch.VariableIndexOf(FetchJoints.ShoulderLift)] = 0.3;
        q[_fetch.VariableIndexOf(FetchJoints.ElbowFlex)] = 1.0;
        RigidTransform before = chain.Pose(q);
        double[] next = new double[q.Length];
        var turn = new Vec3(0, 0, 0.05);
        IkResult r = ik.SolvePoseStep(q, Vec3.Zero, turn, next);
        Assert.True(r.Success, r.ToString());
        RigidTransform after = chain.Pose(next);
        Assert.True((after.Translation - before.Translation).Length < 1e-3);
        Vec3 rotated = (after.Rotation * before.Rotation.Transposed).ToRotationVector();
        Assert.True((rotated - turn).Length < 2e-3, $"rotated by {rotated}");
    }

    [Fact]
    public void Same_input_gives_the_same_solution_bit_for_bit()
    {
        var target = new Vec3(0.7, 0.3, 0.9);
        double[] seed = _fetch.CreateHomeVector();
        double[] a = new double[seed.Length], b = new double[seed.Length];
        new IkSolver(_fetch, "gripper_link", FetchJoints.Arm).SolvePosition(target, seed, a);
        var second = new IkSolver(_fetch, "gripper_link", FetchJoints.Arm);
        second.SolvePosition(new Vec3(0.5, -0.2, 1.0), seed, b); // state from an earlier solve must not leak
        second.SolvePosition(target, seed, b);
        Assert.Equal(a, b);
    }
}
