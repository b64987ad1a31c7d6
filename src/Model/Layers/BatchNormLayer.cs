using System.Globalization;
using GpuSiamese.Data;
using GpuSiamese.Model.Interchange;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// Batch normalisation over channels (an image's C channels, each over the batch's rows and pixels) or over features (a
/// vector's values, each over the rows): learned scale γ and shift β (trained; initially 1 and 0), and running mean and
/// variance (non-trained state; initially 0 and 1; saved, exported, never optimised). A training pass normalises with the
/// batch's own statistics over all 2B (or 3B) rows and moves the running averages by the momentum; a scoring pass uses the
/// running averages, so an image's embedding does not depend on what else is in its batch. The backward pass is exact
/// (through the batch statistics). Spelled <c>bn</c> (momentum 0.1, ε 1e-5, PyTorch's defaults) or <c>bn:M:E</c>.
/// ONNX: BatchNormalization with the running statistics.
/// </summary>
public sealed record BatchNormLayer : ILayer
{
    public const double DefaultMomentum = 0.1, DefaultEpsilon = 1e-5;

    public BatchNormLayer(LayerShape input, double momentum = DefaultMomentum, double epsilon = DefaultEpsilon)
    {
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentException($"a batch norm's momentum is in [0, 1], got {momentum}", nameof(momentum));
        if (!(epsilon > 0 && epsilon < 1)) throw new ArgumentException($"a batch norm's epsilon is in (0, 1), got {epsilon}", nameof(epsilon));
        Input = input;
        Momentum = momentum;
        Epsilon = epsilon;
    }

    const string Form = "a batch norm is bn (momentum 0.1, epsilon 1e-5) or bn:MOMENTUM:EPSILON, e.g. bn:0.01:0.001";

    /// <summary>The layer syntax's batch-norm entry: bn or bn:momentum:epsilon.</summary>
    public static readonly LayerSyntax Syntax = new("bn | bn:M:E", "batch norm over channels (or a vector's features); M momentum (0.1), E epsilon (1e-5)",
        t => t == "bn" || t.StartsWith("bn:", StringComparison.Ordinal),
        (t, shape) =>
        {
            if (t == "bn") return new BatchNormLayer(shape);
            var parts = t.Split(':');
            if (parts.Length != 3 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double m)
                || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double e))
                throw new ArgumentException(Form);
            return new BatchNormLayer(shape, m, e);
        });

    public LayerShape Input { get; }

    /// <summary>How far a training batch moves the running averages: running ← (1 − m)·running + m·batch.</summary>
    public double Momentum { get; }

    /// <summary>ε of x̂ = (x − μ)/sqrt(σ² + ε).</summary>
    public double Epsilon { get; }

    public LayerShape Output => Input;

    int Channels => Input.Channels;

    int Pixels => Input.Height * Input.Width;

    public int ParameterCount => 2 * Channels;

    public int StateCount => 2 * Channels;

    public IReadOnlyList<LayerTensor> Tensors =>
    [
        new("scale", 0, Channels), new("shift", Channels, Channels),
        new("running_mean", 0, Channels, IsState: true), new("running_var", Channels, Channels, IsState: true),
    ];

    public string Token => Momentum == DefaultMomentum && Epsilon == DefaultEpsilon
        ? "bn"
        : string.Create(CultureInfo.InvariantCulture, $"bn:{Momentum:R}:{Epsilon:R}");

    public void Initialize(Span<float> parameters, Rng rng)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"{this} has {ParameterCount} parameters, got a slice of {parameters.Length}", nameof(parameters));
        parameters[..Channels].Fill(1f);
        parameters[Channels..].Clear();
    }

    public void InitializeState(Span<float> state)
    {
        state[..Channels].Clear();
        state[Channels..].Fill(1f);
    }

    public void Forward(LayerPass p)
    {
        var values = p.Parameters.Values;
        var (gamma, beta) = (values.Slice(0, Channels), values.Slice(Channels, Channels));
        var scratch = p.Parameters.Scratch;
        int samples = p.Rows * Pixels;
        if (p.Mode == PassMode.Training)
            p.Backend.BatchNormTrainingForward(p.X, gamma, beta, p.Output, scratch.Floats(2 * Channels, slot: 0), p.Parameters.State!,
                scratch.Floats(3 * Channels, slot: 1), samples, Channels, (float)Momentum, (float)Epsilon);
        else
            p.Backend.BatchNormScoringForward(p.X, gamma, beta, p.Parameters.State!, p.Output, scratch.Floats(3 * Channels, slot: 1),
                samples, Channels, (float)Epsilon);
        if (p.Dropout.IsOn) p.Backend.Dropout(p.Output, p.Rows * Output.Size, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
    }

    /// <summary>Through the training pass's batch statistics (kept in the scratch by its forward pass).</summary>
    public void Backward(LayerPass p)
    {
        if (p.Mode != PassMode.Training) throw new InvalidOperationException("a batch norm's backward pass follows a training pass");
        var dy = p.Dy;
        int n = p.Rows * Output.Size, samples = p.Rows * Pixels;
        if (p.Dropout.IsOn) p.Backend.Dropout(dy, n, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
        var gradients = p.Parameters.Gradients;
        var scratch = p.Parameters.Scratch;
        // The network's image needs no gradient, but the kernel writes one: a scratch sink then.
        var dx = p.Dx ?? scratch.Floats(n, slot: 2);
        p.Backend.BatchNormBackward(p.X, dy, p.Parameters.Values.Slice(0, Channels), scratch.Floats(2 * Channels, slot: 0), dx,
            gradients.Slice(0, Channels), gradients.Slice(Channels, Channels), scratch.Floats(3 * Channels, slot: 1), samples, Channels);
    }

    public OnnxValue EmitOnnx(OnnxLayerWriter w, IReadOnlyList<OnnxValue> inputs)
    {
        var t = Tensors;
        string[] operands =
        [
            inputs[0].Name,
            w.Initializer("scale", [Channels], w.Values(t[0])), w.Initializer("shift", [Channels], w.Values(t[1])),
            w.Initializer("running_mean", [Channels], w.Values(t[2])), w.Initializer("running_var", [Channels], w.Values(t[3])),
        ];
        return inputs[0] with { Name = w.Node("BatchNormalization", "batchnorm", operands, OnnxLayerWriter.Float("epsilon", (float)Epsilon)) };
    }

    public void ReferenceForward(ReferenceLayerPass p)
    {
        var y = new double[p.Rows * Output.Size];
        var t = Tensors;
        int samples = p.Rows * Pixels;
        if (p.Mode == PassMode.Training)
        {
            var saved = new double[2 * Channels];
            Ref.BatchNorm.TrainingForward(p.X, p.Slice(t[0]), p.Slice(t[1]), y, saved, p.State, samples, Channels, Momentum, Epsilon);
            p.Saved = saved;
        }
        else
            Ref.BatchNorm.ScoringForward(p.X, p.Slice(t[0]), p.Slice(t[1]), p.State, y, samples, Channels, Epsilon);
        p.Output = y;
    }

    public void ReferenceBackward(ReferenceLayerPass p)
    {
        if (p.Saved is not double[] saved) throw new InvalidOperationException("a batch norm's backward pass follows a training pass");
        var (dx, dgamma, dbeta) = (new double[p.X.Length], new double[Channels], new double[Channels]);
        Ref.BatchNorm.Backward(p.X, p.OutputGradient, p.Slice(Tensors[0]), saved, dx, dgamma, dbeta, p.Rows * Pixels, Channels);
        p.ParameterGradient = [.. dgamma, .. dbeta];
        if (p.WantsInputGradient[0]) p.InputGradients[0] = dx;
    }

    public override string ToString() => Token;
}
