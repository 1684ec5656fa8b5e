using RobotBridge.Learning.Torch;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RobotBridge.Learning.Policies;

/// <summary>
/// Camera encoder: the three-layer convolution stack of the DQN Nature paper (8x8/4, 4x4/2, 3x3/1)
/// followed by a linear layer. Input: uint8 images, batch × H × W × C (the Gym layout); scaled to
/// [0, 1] and moved to channels-first inside.
/// </summary>
public sealed class CnnEncoder : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> convs;
    private readonly Module<Tensor, Tensor> head;

    public CnnEncoder(string name, ImageShape image, int features) : base(name)
    {
        convs = Sequential(
            Conv2d(image.Channels, 32, 8, stride: 4), ReLU(),
            Conv2d(32, 64, 4, stride: 2), ReLU(),
            Conv2d(64, 64, 3, stride: 1), ReLU(),
            Flatten());
        int h = ConvOut(ConvOut(ConvOut(image.Height, 8, 4), 4, 2), 3, 1);
        int w = ConvOut(ConvOut(ConvOut(image.Width, 8, 4), 4, 2), 3, 1);
        if (h < 1 || w < 1) throw new ArgumentException($"image {image.Height}x{image.Width} is too small for the CNN encoder (needs at least 36x36)");
        head = Sequential(Linear(64 * h * w, features), ReLU());
        RegisterComponents();
    }

    public override Tensor forward(Tensor imagesHwc)
    {
        using var scope = NewDisposeScope();
        var x = imagesHwc.to_type(ScalarType.Float32).DividedBy(255).permute(0, 3, 1, 2);
        return head.forward(convs.forward(x)).MoveToOuterDisposeScope();
    }

    private static int ConvOut(int size, int kernel, int stride) => (size - kernel) / stride + 1;
}
