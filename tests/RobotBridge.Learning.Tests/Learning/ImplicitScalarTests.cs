using System.Reflection;
using System.Reflection.Emit;
using RobotBridge.Learning.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Tests.Learning;

/// <summary>
/// Reads RobotBridge.Learning's IL: no method may call TorchSharp code that turns a number into a native
/// scalar it does not keep alive (see <see cref="ScalarMath"/> for why that can free the scalar mid-call).
/// </summary>
public class ImplicitScalarTests
{
    private static readonly Lazy<ImplicitScalarScan> Scan = new(() => new ImplicitScalarScan(typeof(Tensor).Assembly));

    [Fact]
    public void No_learning_code_hands_TorchSharp_a_scalar_it_does_not_hold()
    {
        var violations = Scan.Value.Violations(typeof(ScalarMath).Assembly).ToList();
        Assert.True(violations.Count == 0, "calls that make a TorchSharp scalar nobody holds:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_scan_finds_implicit_scalars_the_way_TorchSharp_hides_them()
    {
        var flagged = Scan.Value.Violations(typeof(ImplicitScalarTests).Assembly)
            .Where(v => v.Contains(nameof(ImplicitScalarTests))).ToList();
        Assert.Contains(flagged, v => v.Contains(nameof(NumberTimesTensor)));
        Assert.Contains(flagged, v => v.Contains(nameof(TensorPlusTensor)));
        Assert.Contains(flagged, v => v.Contains(nameof(SquareOfTensor)));
        Assert.Contains(flagged, v => v.Contains(nameof(AdamStep)));
        Assert.Contains(flagged, v => v.Contains(nameof(BatchNormModule)));
        Assert.DoesNotContain(flagged, v => v.Contains(nameof(HeldScalars)));
        Assert.DoesNotContain(flagged, v => v.Contains(nameof(LinearModule)));
    }

    // Examples for the scan above; never called.
    private static Tensor NumberTimesTensor(Tensor t) => 0.5 * t;
    private static Tensor TensorPlusTensor(Tensor a, Tensor b) => a + b;
    private static Tensor SquareOfTensor(Tensor t) => t.square();
    private static void AdamStep(optim.Optimizer adam) => adam.step();
    private static nn.Module<Tensor, Tensor> BatchNormModule() => nn.BatchNorm1d(4);
    private static nn.Module<Tensor, Tensor> LinearModule() => nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Tanh());
    private static Tensor HeldScalars(Tensor a, Tensor b) => a.Plus(b).Times(0.5).Squared().Clamped(-1, 1);
}

/// <summary>Which TorchSharp methods make a <see cref="Scalar"/> from a number (directly or through other
/// TorchSharp methods), and which methods of a given assembly call them. Calls are read from IL. A virtual
/// call counts if any TorchSharp override of it makes a scalar (so <c>Optimizer.step</c> counts, for Adam's),
/// except a module's <c>forward</c>: there the module's construction is what counts.</summary>
internal sealed class ImplicitScalarScan
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly Assembly _torch;
    private readonly HashSet<MethodBase> _makesScalars = [];
    private readonly HashSet<MethodBase> _virtualsWithScalarOverrides = [];
    private readonly HashSet<Type> _modulesWithScalarForward = [];

    public ImplicitScalarScan(Assembly torch)
    {
        _torch = torch;
        var calls = new Dictionary<MethodBase, List<MethodBase>>();
        foreach (var method in MethodsOf(torch))
        {
            var callees = CallsOf(method).ToList();
            calls[method] = callees;
            if (callees.Any(IsScalarFromNumber)) _makesScalars.Add(method);
        }
        // Fixpoint: a method that calls one that makes a scalar makes one too, and so does the constructor
        // of a module whose forward (its own or inherited) makes one: what runs is decided where it is built.
        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach (var method in _makesScalars.OfType<MethodInfo>().Where(m => m.Name == "forward" && m.DeclaringType is not null))
            {
                _modulesWithScalarForward.Add(method.DeclaringType!);
            }
            foreach (var (method, callees) in calls)
            {
                if (!_makesScalars.Contains(method) && (callees.Any(_makesScalars.Contains) || BuildsModuleWithScalarForward(method)))
                {
                    grew |= _makesScalars.Add(method);
                }
            }
        }
        foreach (var method in _makesScalars.OfType<MethodInfo>())
        {
            if (method.Name != "forward" && method.IsVirtual && method.GetBaseDefinition() is var root && root != method)
            {
                _virtualsWithScalarOverrides.Add(root);
            }
        }
    }

    private bool BuildsModuleWithScalarForward(MethodBase method)
    {
        if (method is not ConstructorInfo) return false;
        for (var type = method.DeclaringType; type is not null; type = type.BaseType)
        {
            if (_modulesWithScalarForward.Contains(type)) return true;
        }
        return false;
    }

    public IEnumerable<string> Violations(Assembly assembly)
    {
        foreach (var method in MethodsOf(assembly))
        {
            foreach (var callee in CallsOf(method).Distinct())
            {
                if (MakesScalar(callee))
                {
                    yield return $"{method.DeclaringType?.FullName}.{method.Name} calls {callee.DeclaringType?.Name}.{callee.Name}({string.Join(", ", callee.GetParameters().Select(p => p.ParameterType.Name))})";
                }
            }
        }
    }

    private bool MakesScalar(MethodBase callee)
    {
        if (callee.DeclaringType == typeof(Scalar) && callee.Name == "op_Implicit") return true;
        if (callee.Module.Assembly != _torch) return false;
        if (_makesScalars.Contains(callee)) return true;
        return callee is MethodInfo { IsVirtual: true } virtualMethod && virtualMethod.Name != "forward" &&
               _virtualsWithScalarOverrides.Contains(virtualMethod.GetBaseDefinition());
    }

    private static bool IsScalarFromNumber(MethodBase callee) =>
        (callee.DeclaringType == typeof(Scalar) && callee.Name == "op_Implicit") ||
        (callee.DeclaringType == typeof(ScalarExtensionMethods) && callee.Name.StartsWith("To", StringComparison.Ordinal) &&
         callee.Name.EndsWith("Scalar", StringComparison.Ordinal));

    private static IEnumerable<MethodBase> MethodsOf(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types.Where(t => t is not null).ToArray()!;
        }
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in types)
        {
            MethodBase[] methods;
            try
            {
                methods = [.. type.GetMethods(all), .. type.GetConstructors(all)];
            }
            catch (Exception)
            {
                continue;
            }
            foreach (var m in methods) yield return m;
        }
    }

    private static IEnumerable<MethodBase> CallsOf(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception)
        {
            yield break;
        }
        if (il is null) yield break;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE && i + 1 < il.Length ? (short)(0xFE00 | il[i + 1]) : il[i];
            if (!OpCodesByValue.TryGetValue(value, out var op)) yield break; // not IL we understand: stop reading this body
            i += op.Size;
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                }
                catch (Exception)
                {
                    // A reference into an assembly that is not loaded: not TorchSharp's scalar code.
                }
                if (callee is not null) yield return callee;
            }
            i += OperandSize(op, il, i);
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
