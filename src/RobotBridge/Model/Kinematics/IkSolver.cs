namespace RobotBridge.Model.Kinematics;

/// <summary>
/// Inverse kinematics of one frame over a subset of the joint vector (e.g. the 7 Fetch arm joints, or
/// torso + arm) by damped least squares, Δq = Jᵀ(J Jᵀ + λ²I)⁻¹ e, never leaving the joint limits:
/// every iterate is clamped into the limits and joints resting on a limit that the step would push
/// further are taken out of that step. Stalled attempts restart from reproducible random joint vectors.
/// A failed solve reports <see cref="IkStatus.NotReached"/> and returns the seed, never a wrong answer.
///
/// Seeds and solutions are full joint vectors (<see cref="RobotModel.VariableCount"/>); joints outside
/// the subset are copied from the seed. Targets are in the root frame. The solver owns all its scratch
/// memory, so solves allocate nothing; one solver per thread.
/// </summary>
public sealed class IkSolver
{
    private readonly KinematicChain _chain;
    private readonly IkOptions _options;
    private readonly int[] _subset;        // joint-vector slot of each column
    private readonly int[] _columnOf;      // column of each slot, or -1
    private readonly double[] _lower, _upper;
    private readonly int _n;

    // Workspace (sized once).
    private readonly double[] _q, _best, _jacobian, _normal, _y, _dq, _error;
    private readonly bool[] _frozen;
    private ulong _random;

    public IkSolver(RobotModel model, string tipLink, IReadOnlyList<string> joints, IkOptions? options = null, RigidTransform? toolOffset = null)
    {
        _chain = new KinematicChain(model, tipLink, toolOffset);
        _options = options ?? new IkOptions();
        _subset = model.VariableIndicesOf(joints);
        if (_subset.Length == 0 || _subset.Distinct().Count() != _subset.Length)
        {
            throw new ArgumentException("IK needs one or more distinct joints", nameof(joints));
        }
        _n = _subset.Length;
        _columnOf = Enumerable.Repeat(-1, model.VariableCount).ToArray();
        _lower = new double[_n];
        _upper = new double[_n];
        for (int c = 0; c < _n; c++)
        {
            _columnOf[_subset[c]] = c;
            _lower[c] = model.Variables[_subset[c]].Lower;
            _upper[c] = model.Variables[_subset[c]].Upper;
        }
        _q = new double[model.VariableCount];
        _best = new double[model.VariableCount];
        _jacobian = new double[6 * _n];
        _normal = new double[36];
        _y = new double[6];
        _dq = new double[_n];
        _error = new double[6];
        _frozen = new bool[_n];
    }

    public KinematicChain Chain => _chain;
    public IkOptions Options => _options;

    /// <summary>Joint-vector slots the solver may move, in column order.</summary>
    public IReadOnlyList<int> Joints => _subset;

    /// <summary>Moves the tip origin to <paramref name="target"/> (any orientation).</summary>
    public IkResult SolvePosition(in Vec3 target, ReadOnlySpan<double> seed, Span<double> solution) =>
        Solve(new RigidTransform(Rotation3.Identity, target), positionOnly: true, seed, solution, _options.MaxIterations, _options.MaxRestarts);

    /// <summary>Moves the tip frame to <paramref name="target"/> (position and orientation).</summary>
    public IkResult SolvePose(in RigidTransform target, ReadOnlySpan<double> seed, Span<double> solution) =>
        Solve(target, positionOnly: false, seed, solution, _options.MaxIterations, _options.MaxRestarts);

    /// <summary>
    /// Control-step IK: the joint vector that moves the tip by <paramref name="displacement"/> (root
    /// frame, m) from where <paramref name="current"/> puts it, keeping its orientation free. Warm-started
    /// from <paramref name="current"/>, few iterations, no restarts — meant for small displacements every
    /// control step. On failure the solution is <paramref name="current"/>.
    /// </summary>
    public IkResult SolvePositionStep(ReadOnlySpan<double> current, in Vec3 displacement, Span<double> solution)
    {
        RigidTransform now = _chain.Pose(current);
        return Solve(new RigidTransform(now.Rotation, now.Translation + displacement), positionOnly: true, current, solution, _options.StepIterations, 0);
    }

    /// <summary>
    /// Control-step IK for a pose: translate by <paramref name="displacement"/> and rotate by the rotation
    /// vector <paramref name="rotation"/> (axis·angle, root frame) from the current tip pose.
    /// </summary>
    public IkResult SolvePoseStep(ReadOnlySpan<double> current, in Vec3 displacement, in Vec3 rotation, Span<double> solution)
    {
        RigidTransform now = _chain.Pose(current);
        double angle = rotation.Length;
        Rotation3 turn = angle > 0 ? Rotation3.FromAxisAngle((1 / angle) * rotation, angle) : Rotation3.Identity;
        var target = new RigidTransform(turn * now.Rotation, now.Translation + displacement);
        return Solve(target, positionOnly: false, current, solution, _options.StepIterations, 0);
    }

    private IkResult Solve(in RigidTransform target, bool positionOnly, ReadOnlySpan<double> seed, Span<double> solution, int maxIterations, int maxRestarts)
    {
        int count = _chain.Model.VariableCount;
        if (seed.Length != count || solution.Length != count)
        {
            throw new ArgumentException($"seed and solution must hold {count} joint values (got {seed.Length} and {solution.Length})");
        }
        bool finite = target.Translation.IsFinite && double.IsFinite(target.Rotation.M00 + target.Rotation.M11 + target.Rotation.M22 + target.Rotation.M01 + target.Rotation.M02 + target.Rotation.M10 + target.Rotation.M12 + target.Rotation.M20 + target.Rotation.M21);
        foreach (double v in seed)
        {
            finite &= double.IsFinite(v);
        }
        if (!finite)
        {
            seed.CopyTo(solution);
            return new IkResult(IkStatus.InvalidInput, double.NaN, double.NaN, 0, 0);
        }

        _random = _options.RandomSeed;
        seed.CopyTo(_q);
        for (int c = 0; c < _n; c++)
        {
            _q[_subset[c]] = Math.Clamp(_q[_subset[c]], _lower[c], _upper[c]);
        }
        double bestScore = double.PositiveInfinity, bestPos = double.NaN, bestRot = double.NaN;
        int iterations = 0;
        for (int attempt = 0; attempt <= maxRestarts; attempt++)
        {
            if (attempt > 0)
            {
                RandomizeSubset();
            }
            double stallReference = double.PositiveInfinity;
            for (int it = 0; it < maxIterations; it++)
            {
                iterations++;
                Evaluate(target, positionOnly, out double posErr, out double rotErr);
                double score = posErr / _options.PositionTolerance + (positionOnly ? 0 : rotErr / _options.OrientationTolerance);
                if (score < bestScore)
                {
                    bestScore = score;
                    bestPos = posErr;
                    bestRot = rotErr;
                    _q.CopyTo(_best, 0);
                }
                if (posErr <= _options.PositionTolerance && (positionOnly || rotErr <= _options.OrientationTolerance))
                {
                    _q.CopyTo(solution);
                    return new IkResult(IkStatus.Converged, posErr, positionOnly ? double.NaN : rotErr, iterations, attempt);
                }
                // Stalled: under 10 % improvement over 20 iterations means a limit or a local minimum.
                if (it % 20 == 19)
                {
                    if (score > 0.9 * stallReference)
                    {
                        break;
                    }
                    stallReference = score;
                }
                Step(positionOnly ? 3 : 6);
            }
        }
        seed.CopyTo(solution);
        return new IkResult(IkStatus.NotReached, bestPos, positionOnly ? double.NaN : bestRot, iterations, maxRestarts);
    }

    /// <summary>Fills the Jacobian (subset columns) and the weighted task error for the current _q.</summary>
    private void Evaluate(in RigidTransform target, bool positionOnly, out double posErr, out double rotErr)
    {
        Array.Clear(_jacobian);
        RigidTransform pose = _chain.JacobianColumns(_q, _jacobian, _n, _columnOf);
        Vec3 dp = target.Translation - pose.Translation;
        posErr = dp.Length;
        _error[0] = dp.X;
        _error[1] = dp.Y;
        _error[2] = dp.Z;
        rotErr = 0;
        if (!positionOnly)
        {
            Vec3 dr = (target.Rotation * pose.Rotation.Transposed).ToRotationVector();
            rotErr = dr.Length;
            double w = _options.OrientationWeight;
            _error[3] = w * dr.X;
            _error[4] = w * dr.Y;
            _error[5] = w * dr.Z;
            for (int k = 3 * _n; k < 6 * _n; k++)
            {
                _jacobian[k] *= w;
            }
        }
    }

    /// <summary>One damped-least-squares step on the first <paramref name="rows"/> task rows, limits respected.</summary>
    private void Step(int rows)
    {
        Array.Clear(_frozen);
        // Joints on a limit that the step pushes outward are frozen and the step recomputed (twice at most).
        for (int pass = 0; pass < 3; pass++)
        {
            SolveDampedLeastSquares(rows);
            bool changed = false;
            for (int c = 0; c < _n; c++)
            {
                double q = _q[_subset[c]];
                if (!_frozen[c] && ((q <= _lower[c] && _dq[c] < 0) || (q >= _upper[c] && _dq[c] > 0)))
                {
                    _frozen[c] = true;
                    changed = true;
                }
            }
            if (!changed)
            {
                break;
            }
        }
        double largest = 0;
        for (int c = 0; c < _n; c++)
        {
            largest = Math.Max(largest, Math.Abs(_dq[c]));
        }
        double scale = largest > _options.MaxJointStep ? _options.MaxJointStep / largest : 1.0;
        for (int c = 0; c < _n; c++)
        {
            int s = _subset[c];
            _q[s] = Math.Clamp(_q[s] + scale * _dq[c], _lower[c], _upper[c]);
        }
    }

    /// <summary>_dq = Jᵀ (J Jᵀ + λ² I)⁻¹ e over unfrozen columns, by Cholesky of the rows × rows normal matrix.</summary>
    private void SolveDampedLeastSquares(int rows)
    {
        int n = _n;
        double lambda2 = _options.Damping * _options.Damping;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = i == j ? lambda2 : 0;
                for (int c = 0; c < n; c++)
                {
                    if (!_frozen[c])
                    {
                        sum += _jacobian[i * n + c] * _jacobian[j * n + c];
                    }
                }
                _normal[i * 6 + j] = sum;
            }
        }
        // In-place Cholesky (lower triangle); λ² > 0 keeps the matrix positive definite.
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = _normal[i * 6 + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= _normal[i * 6 + k] * _normal[j * 6 + k];
                }
                _normal[i * 6 + j] = i == j ? Math.Sqrt(Math.Max(sum, 1e-300)) : sum / _normal[j * 6 + j];
            }
        }
        for (int i = 0; i < rows; i++)
        {
            double sum = _error[i];
            for (int k = 0; k < i; k++)
            {
                sum -= _normal[i * 6 + k] * _y[k];
            }
            _y[i] = sum / _normal[i * 6 + i];
        }
        for (int i = rows - 1; i >= 0; i--)
        {
            double sum = _y[i];
            for (int k = i + 1; k < rows; k++)
            {
                sum -= _normal[k * 6 + i] * _y[k];
            }
            _y[i] = sum / _normal[i * 6 + i];
        }
        for (int c = 0; c < n; c++)
        {
            double sum = 0;
            if (!_frozen[c])
            {
                for (int i = 0; i < rows; i++)
                {
                    sum += _jacobian[i * n + c] * _y[i];
                }
            }
            _dq[c] = sum;
        }
    }

    private void RandomizeSubset()
    {
        for (int c = 0; c < _n; c++)
        {
            double lo = _lower[c], hi = _upper[c];
            if (!double.IsFinite(lo) || !double.IsFinite(hi))
            {
                lo = -_options.UnlimitedSampleRange;
                hi = _options.UnlimitedSampleRange;
            }
            _q[_subset[c]] = lo + (hi - lo) * NextUnit();
        }
    }

    /// <summary>xorshift64*: a uniform double in [0, 1), reproducible from <see cref="IkOptions.RandomSeed"/>.</summary>
    private double NextUnit()
    {
        _random ^= _random >> 12;
        _random ^= _random << 25;
        _random ^= _random >> 27;
        return ((_random * 0x2545F4914F6CDD1DUL) >> 11) * (1.0 / (1UL << 53));
    }
}
