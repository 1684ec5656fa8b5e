using RobotBridge.Robots;

namespace RobotBridge.Sim.Controllers;

/// <summary>
/// The Fetch's arm_controller/cartesian_twist: a twist of wrist_roll_link expressed in the
/// torso_lift_link frame becomes arm joint velocities through damped least-squares velocity IK, all
/// scaled together so none exceeds 0.5 rad/s, changed by at most 1 rad/s² and integrated into a
/// position setpoint clamped to the joint limits. With no command for 0.5 s it stops and holds.
/// </summary>
internal sealed class CartesianTwistController
{
    public const double MaxJointSpeed = 0.5;
    public const double MaxJointAcceleration = 1.0;
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(0.5);
    private const double DampingSquared = 1e-4;

    private readonly int[] _armJoints;
    private readonly int[] _armDofs;
    private readonly double[] _jacp;
    private readonly double[] _jacr;
    private readonly double[] _jacobian = new double[6 * 7];
    private readonly double[] _normal = new double[36];
    private readonly double[] _rhs = new double[6];
    private readonly double[] _desired = new double[7];
    private readonly double[] _speed = new double[7];
    private Twist _command;
    private double _lastCommand = double.NegativeInfinity;

    /// <param name="armJoints">Indices of the 7 arm joints in FetchJoints.All.</param>
    /// <param name="armDofs">Their dof addresses in the model.</param>
    public CartesianTwistController(int[] armJoints, int[] armDofs, int nv)
    {
        _armJoints = armJoints;
        _armDofs = armDofs;
        _jacp = new double[3 * nv];
        _jacr = new double[3 * nv];
    }

    public bool IsActive { get; private set; }

    public void Command(in Twist twist, double now)
    {
        _command = twist;
        _lastCommand = now;
        IsActive = true;
    }

    /// <summary>Stops at once: setpoints stay where they are, velocities go to zero.</summary>
    public void Deactivate(Span<double> vRef)
    {
        IsActive = false;
        _command = Twist.Zero;
        Array.Clear(_speed);
        foreach (int joint in _armJoints)
        {
            vRef[joint] = 0.0;
        }
    }

    /// <param name="torsoRotation">Row-major world rotation of torso_lift_link.</param>
    /// <param name="fillJacobian">Writes the 3×nv translational and rotational world Jacobians of wrist_roll_link.</param>
    public void Update(double now, double dt, ReadOnlySpan<double> torsoRotation, Action<double[], double[]> fillJacobian,
        Span<double> qRef, Span<double> vRef, Func<int, double, double> clamp)
    {
        if (!IsActive)
        {
            return;
        }
        if (now - _lastCommand > CommandTimeout.TotalSeconds)
        {
            Deactivate(vRef);
            return;
        }
        // Twist from the torso frame into the world frame: v_world = R · v_torso.
        Span<double> x = _rhs;
        Rotate(torsoRotation, _command.Vx, _command.Vy, _command.Vz, x[..3]);
        Rotate(torsoRotation, _command.Wx, _command.Wy, _command.Wz, x[3..]);

        fillJacobian(_jacp, _jacr);
        int nv = _jacp.Length / 3;
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 7; c++)
            {
                _jacobian[r * 7 + c] = _jacp[r * nv + _armDofs[c]];
                _jacobian[(r + 3) * 7 + c] = _jacr[r * nv + _armDofs[c]];
            }
        }
        // Damped least squares: q̇ = Jᵀ (J Jᵀ + λ² I)⁻¹ x.
        for (int r = 0; r < 6; r++)
        {
            for (int c = 0; c < 6; c++)
            {
                double sum = r == c ? DampingSquared : 0.0;
                for (int k = 0; k < 7; k++)
                {
                    sum += _jacobian[r * 7 + k] * _jacobian[c * 7 + k];
                }
                _normal[r * 6 + c] = sum;
            }
        }
        SolveSymmetric(_normal, x);
        double peak = 0.0;
        for (int k = 0; k < 7; k++)
        {
            double sum = 0.0;
            for (int r = 0; r < 6; r++)
            {
                sum += _jacobian[r * 7 + k] * x[r];
            }
            _desired[k] = sum;
            peak = Math.Max(peak, Math.Abs(sum));
        }
        double scale = peak > MaxJointSpeed ? MaxJointSpeed / peak : 1.0;
        double maxChange = MaxJointAcceleration * dt;
        for (int k = 0; k < 7; k++)
        {
            double target = _desired[k] * scale;
            _speed[k] += Math.Clamp(target - _speed[k], -maxChange, maxChange);
            int joint = _armJoints[k];
            double next = clamp(joint, qRef[joint] + _speed[k] * dt);
            vRef[joint] = (next - qRef[joint]) / dt;
            qRef[joint] = next;
        }
    }

    private static void Rotate(ReadOnlySpan<double> m, double x, double y, double z, Span<double> result)
    {
        result[0] = m[0] * x + m[1] * y + m[2] * z;
        result[1] = m[3] * x + m[4] * y + m[5] * z;
        result[2] = m[6] * x + m[7] * y + m[8] * z;
    }

    /// <summary>Solves A·y = b in place (b becomes y) for the 6×6 symmetric positive definite A (Cholesky).</summary>
    private static void SolveSymmetric(double[] a, Span<double> b)
    {
        const int n = 6;
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++)
            {
                d -= a[j * n + k] * a[j * n + k];
            }
            d = Math.Sqrt(Math.Max(d, 1e-12));
            a[j * n + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++)
                {
                    s -= a[i * n + k] * a[j * n + k];
                }
                a[i * n + j] = s / d;
            }
        }
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++)
            {
                s -= a[i * n + k] * b[k];
            }
            b[i] = s / a[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++)
            {
                s -= a[k * n + i] * b[k];
            }
            b[i] = s / a[i * n + i];
        }
    }
}
