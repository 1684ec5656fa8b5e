using System.Numerics;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Wrappers;

/// <summary>Clips every action into the inner env's Box before it is applied. The wrapper's action
/// space is the unbounded Box of the same shape, as in Gymnasium: any finite action is accepted.</summary>
public sealed class ClipAction<TObs, T> : ActionWrapper<TObs, T[], T[]> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Box<T> _innerBox;
    private readonly Box<T> _space;
    private readonly T[] _clipped;

    public ClipAction(IEnv<TObs, T[]> inner) : base(inner)
    {
        _innerBox = inner.ActionSpace as Box<T>
            ?? throw new InvalidEnvArgumentException($"ClipAction needs a Box<{typeof(T).Name}> action space, the env has {inner.ActionSpace.ToJson()}");
        _space = new Box<T>(T.NegativeInfinity, T.PositiveInfinity, [.. _innerBox.Shape]);
        _clipped = new T[_innerBox.Size];
    }

    public override Space<T[]> ActionSpace => _space;

    protected override T[] Action(T[] action)
    {
        if (action.Length != _clipped.Length)
            throw new InvalidEnvArgumentException($"action has {action.Length} elements, expected {_clipped.Length}");
        action.CopyTo(_clipped, 0);
        _innerBox.Clip(_clipped);
        return _clipped;
    }
}

/// <summary>Maps actions from [min, max] (per element) linearly onto the inner env's bounded Box
/// [low, high]; e.g. lets a tanh policy in [-1, 1] drive an env whose Box is [0, 0.1].</summary>
public sealed class RescaleAction<TObs, T> : ActionWrapper<TObs, T[], T[]> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Box<T> _innerBox;
    private readonly Box<T> _space;
    private readonly T[] _scale;
    private readonly T[] _offset;
    private readonly T[] _rescaled;

    public RescaleAction(IEnv<TObs, T[]> inner, T min, T max)
        : this(inner, Filled(inner, min), Filled(inner, max))
    {
    }

    public RescaleAction(IEnv<TObs, T[]> inner, T[] min, T[] max) : base(inner)
    {
        _innerBox = inner.ActionSpace as Box<T>
            ?? throw new InvalidEnvArgumentException($"RescaleAction needs a Box<{typeof(T).Name}> action space, the env has {inner.ActionSpace.ToJson()}");
        if (!_innerBox.IsBounded)
            throw new InvalidEnvArgumentException($"RescaleAction needs finite action bounds, the env has {_innerBox.ToJson()}");
        int n = _innerBox.Size;
        if (min.Length != n || max.Length != n)
            throw new InvalidEnvArgumentException($"RescaleAction min/max need {n} elements, got {min.Length}/{max.Length}");
        _scale = new T[n];
        _offset = new T[n];
        for (int i = 0; i < n; i++)
        {
            if (!(min[i] < max[i]) || !T.IsFinite(min[i]) || !T.IsFinite(max[i]))
                throw new InvalidEnvArgumentException($"RescaleAction element {i}: need finite min < max, got [{min[i]}, {max[i]}]");
            T low = _innerBox.Low[i], high = _innerBox.High[i];
            _scale[i] = (high - low) / (max[i] - min[i]);
            _offset[i] = low - min[i] * _scale[i];
        }
        _space = new Box<T>(min, max, [.. _innerBox.Shape]);
        _rescaled = new T[n];
    }

    public override Space<T[]> ActionSpace => _space;

    protected override T[] Action(T[] action)
    {
        if (action.Length != _rescaled.Length)
            throw new InvalidEnvArgumentException($"action has {action.Length} elements, expected {_rescaled.Length}");
        for (int i = 0; i < action.Length; i++)
            _rescaled[i] = _offset[i] + _scale[i] * action[i];
        // low + (high-low)*(a-min)/(max-min) can round past a bound by one ulp; keep the result in the box.
        _innerBox.Clip(_rescaled);
        return _rescaled;
    }

    private static T[] Filled(IEnv<TObs, T[]> inner, T value)
    {
        var a = new T[inner.ActionSpace is Box<T> b ? b.Size : 0];
        Array.Fill(a, value);
        return a;
    }
}
