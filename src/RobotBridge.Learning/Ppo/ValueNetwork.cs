using RobotBridge.Learning.Policies;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RobotBridge.Learning.Ppo;

/// <summary>State value V(s) for PPO's advantages; reads the policy-normalised vector and, for
/// camera policies, the image through its own CNN encoder.</summary>
public sealed class ValueNetwork : Module<Tensor, Tensor?, Tensor>
{
    private readonly CnnEncoder? cnn;
    private readonly Module<Tensor, Tensor> mlp;

    public ValueNetwork(PolicySpec spec) : base("value")
    {
        int inputs = spec.VectorSize;
        if (spec.Image is { } image)
        {
            cnn = new CnnEncoder("cnn", image, spec.ImageFeatures);
            inputs += spec.ImageFeatures;
        }
        mlp = Mlp.WithOutput(inputs, spec.HiddenSizes, 1);
        RegisterComponents();
    }

    /// <summary>Values, shape (batch).</summary>
    public override Tensor forward(Tensor normalisedVector, Tensor? image)
    {
        using var scope = NewDisposeScope();
        var x = cnn is null ? normalisedVector : cat([normalisedVector, cnn.forward(image!)], 1);
        return mlp.forward(x).squeeze(1).MoveToOuterDisposeScope();
    }
}
