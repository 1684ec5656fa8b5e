using TorchSharp;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Torch;

/// <summary>
/// Tensor arithmetic with plain numbers that keeps the native scalar alive until libtorch is done with it.
/// </summary>
/// <remarks>
/// TorchSharp turns a number into a <see cref="Scalar"/>, a native object freed by a finalizer, and its
/// tensor methods hand libtorch the raw handle without keeping the managed object reachable. A garbage
/// collection on another thread during that call can finalize the scalar and free it while libtorch still
/// reads it. CI saw it once: Adam's <c>addcmul_</c> failed with "toFloat: Expected false to be true". A freed
/// scalar can also be read as a wrong number with no error at all. So in this project no number meets a
/// tensor through TorchSharp's implicit conversion. It goes through these methods instead: each one holds
/// its scalar in a <c>using</c> until the call has returned, and frees it at once rather than at the next
/// collection. TorchSharp also makes scalars the caller never sees: <c>add(x)</c> is <c>add(x, alpha: 1)</c>
/// and <c>square()</c> is <c>pow(2)</c>, so those are avoided too. <c>ImplicitScalarTests</c> reads this
/// assembly's IL and fails on any call that makes a TorchSharp scalar the caller does not hold.
/// <c>ScalarLifetimeTests</c> trains while another thread collects without a pause.
/// </remarks>
public static class ScalarMath
{
    public static Tensor Times(this Tensor t, double k)
    {
        using var s = k.ToScalar();
        return t.mul(s);
    }

    /// <summary>a + b. TorchSharp's <c>+</c> of two tensors is <c>add(b, alpha: 1)</c>, a scalar too.</summary>
    public static Tensor Plus(this Tensor a, Tensor b)
    {
        using var one = 1.ToScalar();
        return a.add(b, one);
    }

    public static Tensor Plus(this Tensor t, double k)
    {
        using var s = k.ToScalar();
        using var one = 1.ToScalar();
        return t.add(s, one);
    }

    public static Tensor Minus(this Tensor t, double k)
    {
        using var s = k.ToScalar();
        return t.sub(s);
    }

    /// <summary>k − t.</summary>
    public static Tensor SubtractedFrom(this Tensor t, double k)
    {
        using var s = k.ToScalar();
        using var one = 1.ToScalar();
        return t.neg().add_(s, one);
    }

    public static Tensor DividedBy(this Tensor t, double k)
    {
        using var s = k.ToScalar();
        return t.div(s);
    }

    /// <summary>t·t (what <c>pow(2)</c> computes, without a scalar exponent).</summary>
    public static Tensor Squared(this Tensor t) => t.mul(t);

    public static Tensor Clamped(this Tensor t, double min, double max)
    {
        using var lo = min.ToScalar();
        using var hi = max.ToScalar();
        return t.clamp(lo, hi);
    }

    public static Tensor AtLeast(this Tensor t, double min)
    {
        using var s = min.ToScalar();
        return t.clamp_min(s);
    }

    /// <summary>Element-wise t &gt; k as a boolean tensor.</summary>
    public static Tensor GreaterThan(this Tensor t, double k)
    {
        using var s = k.ToScalar();
        return t.gt(s);
    }

    /// <summary>t ← t·k, in place.</summary>
    public static Tensor TimesInPlace(this Tensor t, double k)
    {
        using var s = k.ToScalar();
        return t.mul_(s);
    }

    /// <summary>t ← t + alpha·other, in place.</summary>
    public static Tensor AddScaledInPlace(this Tensor t, Tensor other, double alpha)
    {
        using var s = alpha.ToScalar();
        return t.add_(other, s);
    }

    public static Tensor FillInPlace(this Tensor t, double value)
    {
        using var s = value.ToScalar();
        return t.fill_(s);
    }
}
