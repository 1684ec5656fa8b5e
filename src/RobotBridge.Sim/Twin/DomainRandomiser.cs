using RobotBridge.Sim.Interop;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// Keeps the nominal values of every randomised model parameter and, on each draw, rewrites the model
/// from nominal × a seeded random factor, so draws never compound.
/// </summary>
internal sealed class DomainRandomiser
{
    private readonly SimModel _model;
    private readonly double[] _friction;
    private readonly double[] _mass;
    private readonly double[] _inertia;
    private readonly double[] _damping;
    private readonly double[] _gain;
    private readonly double[] _bias;
    private readonly double[] _camPos;
    private readonly double[] _camQuat;
    private readonly float[] _light;
    private readonly int _camera;

    public DomainRandomiser(SimModel model, int camera)
    {
        _model = model;
        _camera = camera;
        _friction = model.GeomFriction.ToArray();
        _mass = model.BodyMass.ToArray();
        _inertia = model.BodyInertia.ToArray();
        _damping = model.DofDamping.ToArray();
        _gain = model.ActuatorGainPrm.ToArray();
        _bias = model.ActuatorBiasPrm.ToArray();
        _camPos = model.CamPos.ToArray();
        _camQuat = model.CamQuat.ToArray();
        _light = model.LightDiffuse.ToArray();
    }

    /// <summary>Rewrites the model. Call <see cref="SimData.SetConst"/> afterwards (masses changed).</summary>
    public void Apply(DomainRandomisation settings, Random random)
    {
        Span<double> friction = _model.GeomFriction;
        for (int g = 0; g < friction.Length / 3; g++)
        {
            friction[3 * g] = _friction[3 * g] * Factor(random, settings.FrictionScale);
        }
        Span<double> mass = _model.BodyMass, inertia = _model.BodyInertia;
        for (int b = 0; b < mass.Length; b++)
        {
            double f = Factor(random, settings.MassScale);
            mass[b] = _mass[b] * f;
            for (int k = 0; k < 3; k++)
            {
                inertia[3 * b + k] = _inertia[3 * b + k] * f;
            }
        }
        Span<double> damping = _model.DofDamping;
        for (int d = 0; d < damping.Length; d++)
        {
            damping[d] = _damping[d] * Factor(random, settings.DampingScale);
        }
        Span<double> gain = _model.ActuatorGainPrm, bias = _model.ActuatorBiasPrm;
        for (int a = 0; a < _model.Nu; a++)
        {
            double f = Factor(random, settings.GainScale);
            // Position servos: force = kp·ctrl − kp·q (gain[0] = kp, bias[1] = −kp); velocity servos: bias[2] = −kv.
            gain[a * MjEnums.mjNGAIN] = _gain[a * MjEnums.mjNGAIN] * f;
            bias[a * MjEnums.mjNBIAS + 1] = _bias[a * MjEnums.mjNBIAS + 1] * f;
            bias[a * MjEnums.mjNBIAS + 2] = _bias[a * MjEnums.mjNBIAS + 2] * f;
        }
        if (_camera >= 0)
        {
            Span<double> pos = _model.CamPos.Slice(3 * _camera, 3);
            for (int k = 0; k < 3; k++)
            {
                pos[k] = _camPos[3 * _camera + k] + Uniform(random, settings.CameraPositionJitter);
            }
            Span<double> quat = _model.CamQuat.Slice(4 * _camera, 4);
            _camQuat.AsSpan(4 * _camera, 4).CopyTo(quat);
            if (settings.CameraRotationJitter > 0)
            {
                RotateSmall(quat, Uniform(random, settings.CameraRotationJitter),
                    Uniform(random, settings.CameraRotationJitter), Uniform(random, settings.CameraRotationJitter));
            }
        }
        Span<float> light = _model.LightDiffuse;
        for (int l = 0; l < light.Length / 3; l++)
        {
            float f = (float)Factor(random, settings.LightScale);
            for (int k = 0; k < 3; k++)
            {
                light[3 * l + k] = _light[3 * l + k] * f;
            }
        }
    }

    // Every parameter draws its random number even at scale 0, so enabling one knob does not shift
    // the random stream of the others.
    private static double Factor(Random random, double halfWidth) => 1.0 + Uniform(random, halfWidth);

    private static double Uniform(Random random, double halfWidth) => (2.0 * random.NextDouble() - 1.0) * halfWidth;

    /// <summary>q ← q ⊗ exp(½ω) for a small rotation vector ω (body frame), renormalised.</summary>
    private static void RotateSmall(Span<double> q, double wx, double wy, double wz)
    {
        double angle = Math.Sqrt(wx * wx + wy * wy + wz * wz);
        if (angle < 1e-12)
        {
            return;
        }
        double s = Math.Sin(angle / 2) / angle, c = Math.Cos(angle / 2);
        double bw = c, bx = wx * s, by = wy * s, bz = wz * s;
        double w = q[0] * bw - q[1] * bx - q[2] * by - q[3] * bz;
        double x = q[0] * bx + q[1] * bw + q[2] * bz - q[3] * by;
        double y = q[0] * by - q[1] * bz + q[2] * bw + q[3] * bx;
        double z = q[0] * bz + q[1] * by - q[2] * bx + q[3] * bw;
        double n = Math.Sqrt(w * w + x * x + y * y + z * z);
        q[0] = w / n; q[1] = x / n; q[2] = y / n; q[3] = z / n;
    }
}
