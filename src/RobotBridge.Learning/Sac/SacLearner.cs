using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace RobotBridge.Learning.Sac;

/// <summary>Losses of one SAC gradient step, for logging. With demonstrations: the behaviour-cloning
/// loss and the share of demonstration transitions the Q-filter kept.</summary>
public readonly record struct SacLosses(double Critic, double Actor, double Alpha, double Temperature, double BehaviourCloning = 0, double DemonstrationsKept = 0);

/// <summary>
/// The SAC update (Haarnoja et al. 2018, with automatic temperature): twin critics regressed on
/// r + γ·(1−done)·(min Q_target(s', a') − α·log π(a'|s')), the actor minimising
/// α·log π(a|s) − min Q(s, a), α tuned towards the target entropy, targets by Polyak averaging.
/// </summary>
public sealed class SacLearner : IDisposable
{
    private readonly SacHerConfig _config;
    private readonly AdamOptimizer _actorOptimizer;
    private readonly AdamOptimizer _criticOptimizer;
    private readonly AdamOptimizer _alphaOptimizer;
    private readonly double _targetEntropy;

    public SacLearner(SquashedGaussianPolicy policy, SacHerConfig config)
    {
        _config = config;
        Policy = policy;
        Q1 = new QNetwork("q1", policy.Spec);
        Q2 = new QNetwork("q2", policy.Spec);
        Q1Target = new QNetwork("q1_target", policy.Spec);
        Q2Target = new QNetwork("q2_target", policy.Spec);
        CopyWeights(Q1, Q1Target);
        CopyWeights(Q2, Q2Target);
        foreach (var p in Q1Target.parameters().Concat(Q2Target.parameters())) p.requires_grad = false;
        LogAlpha = nn.Parameter(tensor(Math.Log(config.InitialAlpha), dtype: float32));
        _targetEntropy = config.TargetEntropyPerDimension * policy.Spec.ActionSize;
        _actorOptimizer = new AdamOptimizer(policy.parameters(), config.LearningRate);
        _criticOptimizer = new AdamOptimizer(Q1.parameters().Concat(Q2.parameters()), config.LearningRate);
        _alphaOptimizer = new AdamOptimizer([LogAlpha], config.LearningRate);
    }

    public SquashedGaussianPolicy Policy { get; }
    public QNetwork Q1 { get; }
    public QNetwork Q2 { get; }
    public QNetwork Q1Target { get; }
    public QNetwork Q2Target { get; }
    public TorchSharp.Modules.Parameter LogAlpha { get; }

    /// <summary>One gradient step on a sampled batch (vector inputs only; camera SAC is not wired here).
    /// <paramref name="demonstrations"/>, if given, joins the batch for the critics and the actor and
    /// adds the Q-filtered behaviour-cloning term.</summary>
    public SacLosses Update(HerBatch batch, HerBatch? demonstrations = null)
    {
        using var scope = NewDisposeScope();
        int n = batch.Size, m = demonstrations?.Size ?? 0;
        var sRaw = Rows(batch.Vectors, demonstrations?.Vectors, n, m, batch.VectorSize);
        var s = Policy.Normalizer.forward(sRaw);
        var sNextRaw = Rows(batch.NextVectors, demonstrations?.NextVectors, n, m, batch.VectorSize);
        var sNext = Policy.Normalizer.forward(sNextRaw);
        var a = Rows(batch.Actions, demonstrations?.Actions, n, m, batch.ActionSize);
        var r = Rows(batch.Rewards, demonstrations?.Rewards, n, m, 1).view(-1);
        var notDone = Rows(batch.NotDone, demonstrations?.NotDone, n, m, 1).view(-1);
        var alpha = LogAlpha.exp().detach();

        // Critic: soft Bellman target from the target networks.
        Tensor target;
        using (no_grad())
        {
            var (aNext, logPNext) = Policy.Sample(sNextRaw, null);
            var qNext = minimum(Q1Target.forward(sNext, null, aNext), Q2Target.forward(sNext, null, aNext)) - alpha * logPNext;
            target = r.Plus(notDone.Times(_config.Gamma) * qNext);
        }
        var criticLoss = nn.functional.mse_loss(Q1.forward(s, null, a), target).Plus(nn.functional.mse_loss(Q2.forward(s, null, a), target));
        _criticOptimizer.ZeroGrad();
        criticLoss.backward();
        _criticOptimizer.Step();

        // Actor: maximise min Q of a fresh sample plus entropy.
        var (aNew, logP) = Policy.Sample(sRaw, null);
        var qNew = minimum(Q1.forward(s, null, aNew), Q2.forward(s, null, aNew));
        var actorLoss = (alpha * logP - qNew).mean();
        double bcLoss = 0, kept = 0;
        if (m > 0 && _config.BehaviourCloningWeight > 0)
        {
            // Behaviour cloning towards the demonstrated actions, only where the critics prefer them.
            var sDemo = s.narrow(0, n, m);
            var aDemo = a.narrow(0, n, m);
            var aPolicy = Policy.DeterministicAction(sRaw.narrow(0, n, m), null);
            Tensor keep;
            using (no_grad())
            {
                var qDemo = minimum(Q1.forward(sDemo, null, aDemo), Q2.forward(sDemo, null, aDemo));
                var qPolicy = minimum(Q1.forward(sDemo, null, aPolicy), Q2.forward(sDemo, null, aPolicy));
                keep = (qDemo > qPolicy).to_type(ScalarType.Float32);
            }
            var bc = ((aPolicy - aDemo).Squared().sum(1) * keep).mean();
            actorLoss = actorLoss.Plus(bc.Times(_config.BehaviourCloningWeight));
            bcLoss = bc.item<float>();
            kept = keep.mean().item<float>();
        }
        _actorOptimizer.ZeroGrad();
        actorLoss.backward();
        _actorOptimizer.Step();

        // Temperature: push the policy's entropy towards the target.
        var alphaLoss = -(LogAlpha * logP.detach().Plus(_targetEntropy)).mean();
        _alphaOptimizer.ZeroGrad();
        alphaLoss.backward();
        _alphaOptimizer.Step();

        PolyakUpdate(Q1, Q1Target, _config.Tau);
        PolyakUpdate(Q2, Q2Target, _config.Tau);
        return new SacLosses(criticLoss.item<float>(), actorLoss.item<float>(), alphaLoss.item<float>(), alpha.item<float>(), bcLoss, kept);
    }

    /// <summary>The batch's rows, followed by the demonstrations' if any, as one [n + m, width] tensor.</summary>
    private static Tensor Rows(float[] batch, float[]? demonstrations, int n, int m, int width)
    {
        var rows = tensor(batch, n, width);
        return demonstrations is null ? rows : cat([rows, tensor(demonstrations, m, width)], 0);
    }

    private static void CopyWeights(nn.Module from, nn.Module to) => PolyakUpdate(from, to, 1.0);

    private static void PolyakUpdate(nn.Module online, nn.Module target, double tau)
    {
        using var noGrad = no_grad();
        foreach (var (o, t) in online.parameters().Zip(target.parameters()))
        {
            t.TimesInPlace(1 - tau).AddScaledInPlace(o, tau);
        }
    }

    /// <summary>Critics and temperature (the policy is saved on its own).</summary>
    public void Write(BinaryWriter writer)
    {
        Q1.save(writer); Q2.save(writer); Q1Target.save(writer); Q2Target.save(writer);
        writer.Write(LogAlpha.item<float>());
    }

    public void Read(BinaryReader reader)
    {
        Q1.load(reader); Q2.load(reader); Q1Target.load(reader); Q2Target.load(reader);
        using var noGrad = no_grad();
        LogAlpha.FillInPlace(reader.ReadSingle());
    }

    /// <summary>The three optimizers' moments and step counts.</summary>
    public void WriteOptimizers(BinaryWriter writer)
    {
        _actorOptimizer.Write(writer);
        _criticOptimizer.Write(writer);
        _alphaOptimizer.Write(writer);
    }

    public void ReadOptimizers(BinaryReader reader)
    {
        _actorOptimizer.Read(reader);
        _criticOptimizer.Read(reader);
        _alphaOptimizer.Read(reader);
    }

    /// <summary>Gradient steps the critics have taken (the critic optimizer's step count).</summary>
    public long Updates => _criticOptimizer.Steps;

    public void Dispose()
    {
        Q1.Dispose(); Q2.Dispose(); Q1Target.Dispose(); Q2Target.Dispose();
        LogAlpha.Dispose();
        _actorOptimizer.Dispose(); _criticOptimizer.Dispose(); _alphaOptimizer.Dispose();
    }
}
