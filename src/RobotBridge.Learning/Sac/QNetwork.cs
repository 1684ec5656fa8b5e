using RobotBridge.Learning.Policies;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RobotBridge.Learning.Sac;

/// <summary>
/// State-action value Q(s, a) for SAC. Reads the vector input already normalised by the policy's
/// normaliser (one set of statistics for actor and critics) and, for camera policies, the image
/// through its own CNN encoder.
/// </summary>
public sealed class QNetwork : Module<Tensor, Tensor?, Tensor, Tensor>
{
    private readonly CnnEncoder? cnn;
    private readonly Module<Tensor, Tensor> mlp;

    public QNetwork(string name, PolicySpec spec) : base(name)
    {
        int inputs = spec.VectorSize + spec.ActionSize;
        if (spec.Image is { } image)
        {
            cnn = new CnnEncoder("cnn", image, spec.ImageFeatures);
            inputs += spec.ImageFeatures;
        }
        mlp = Mlp.WithOutput(inputs, spec.HiddenSizes, 1);
        RegisterComponents();
    }

    /// <summary>Q values, shape (batch).</summary>
    public override Tensor forward(Tensor normalisedVector, Tensor? image, Tensor action)
    {
        using var scope = NewDisposeScope();
        var x = cnn is null ? cat([normalisedVector, action], 1) : cat([normalisedVector, cnn.forward(image!), action], 1);
        return mlp.forward(x).squeeze(1).MoveToOuterDisposeScope();
    }
}
