using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RobotBridge.Learning.Policies;

/// <summary>Builds fully connected stacks: Linear + ReLU per hidden layer, optional linear output.</summary>
public static class Mlp
{
    /// <summary>Hidden layers only (ends with a ReLU); <paramref name="outputs"/> receives the last width.</summary>
    public static Module<Tensor, Tensor> Trunk(int inputs, IReadOnlyList<int> hidden, out int outputs)
    {
        var layers = new List<Module<Tensor, Tensor>>();
        int width = inputs;
        foreach (int h in hidden)
        {
            layers.Add(Linear(width, h));
            layers.Add(ReLU());
            width = h;
        }
        outputs = width;
        return layers.Count == 0 ? Identity() : Sequential(layers);
    }

    /// <summary>Hidden layers followed by a linear output layer.</summary>
    public static Module<Tensor, Tensor> WithOutput(int inputs, IReadOnlyList<int> hidden, int outputs)
    {
        var trunk = Trunk(inputs, hidden, out int width);
        return Sequential(trunk, Linear(width, outputs));
    }
}
