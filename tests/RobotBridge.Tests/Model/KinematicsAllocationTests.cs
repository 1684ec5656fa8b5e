using RobotBridge.Model;
using RobotBridge.Model.Kinematics;
using RobotBridge.Robots;

namespace RobotBridge.Tests.Model;

/// <summary>The control loop calls FK, the Jacobian and IK every step: none of them may allocate.</summary>
public class KinematicsAllocationTests
{
    [Fact]
    public void Fk_jacobian_and_ik_do_not_allocate_after_construction()
    {
        RobotModel fetch = FetchModel.Load();
        var chain = new KinematicChain(fetch, "gripper_link");
        var fk = new ForwardKinematics(fetch);
        var ik = new IkSolver(fetch, "gripper_link", FetchJoints.ArmWithTorso);
        double[] q = fetch.CreateHomeVector();
        q[fetch.VariableIndexOf(FetchJoints.ElbowFlex)] = 1.0;
        double[] solution = new double[q.Length];
        double[] jacobian = new double[6 * q.Length];
        Vec3 far = new(0.6, -0.4, 0.9);

        void HotPath()
        {
            fk.Compute(q);
            chain.Pose(q);
            chain.Jacobian(q, jacobian);
            Assert.True(ik.SolvePosition(far, q, solution).Success);
            Assert.True(ik.SolvePositionStep(q, new Vec3(0.004, 0, 0), solution).Success);
            Assert.True(ik.SolvePoseStep(q, new Vec3(0, 0.004, 0), new Vec3(0.01, 0, 0), solution).Success);
            ik.SolvePosition(new Vec3(5, 0, 0), q, solution); // failure path too
        }

        HotPath(); // warm up (JIT, lazy statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        HotPath();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
