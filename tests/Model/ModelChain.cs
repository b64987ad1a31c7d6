using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Layers;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// The whole Siamese model in double precision, straight from the reference methods: forward over 2B rows through
/// every layer of <see cref="NetworkConfig.Layers"/> (dense, conv2d, max-pool), pair distance, batch-mean loss, and the
/// backward chain into a flat gradient laid out like the parameters.
/// </summary>
public static class ModelChain
{
    /// <summary>Batch-mean loss; fills <paramref name="gradient"/> when given; records ReLU layers' pre-activations when asked.</summary>
    public static double Loss(NetworkConfig config, double[] theta, double[] x, int[] labels, LossKind kind,
        double parameter, double eps, double[]? gradient = null, List<double[]>? preActivations = null)
    {
        int pairs = labels.Length, rows = 2 * pairs;
        var layers = config.Layers;
        var outputs = new double[layers.Count][];
        var winners = new int[layers.Count][];
        var input = x;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var (w, b) = Slices(config, theta, l);
            if (layer is MaxPoolLayer) winners[l] = new int[rows * layer.Output.Size];
            outputs[l] = Forward(layer, w, b, input, rows, winners[l]);
            if (preActivations != null && ActivationOf(layer) == Activation.Relu)
                preActivations.Add(Forward(layer, w, b, input, rows, null, Activation.Identity));
            input = outputs[l];
        }
        int dim = config.OutputWidth;
        var dist = new double[pairs];
        Ref.PairDistance.Forward(outputs[^1], dist, pairs, dim, eps);
        var loss = new double[pairs];
        var dDist = new double[pairs];
        if (kind == LossKind.ContrastiveBounded)
        {
            Ref.ContrastiveLoss.BoundedForward(dist, labels, loss, pairs, parameter);
            Ref.ContrastiveLoss.BoundedBackward(dist, labels, dDist, pairs, parameter);
        }
        else
        {
            Ref.ContrastiveLoss.MarginForward(dist, labels, loss, pairs, parameter);
            Ref.ContrastiveLoss.MarginBackward(dist, labels, dDist, pairs, parameter);
        }
        double mean = loss.Sum() / pairs;
        if (gradient == null) return mean;

        var dY = new double[rows * dim];
        Ref.PairDistance.Backward(outputs[^1], dist, dDist, dY, pairs, dim, eps);
        for (int l = layers.Count - 1; l >= 0; l--)
        {
            var layer = layers[l];
            var (w, _) = Slices(config, theta, l);
            var xl = l == 0 ? x : outputs[l - 1];
            var dx = new double[rows * layer.Input.Size];
            int offset = config.LayerOffset(l);
            switch (layer)
            {
                case DenseLayer d:
                {
                    Ref.Dense.ActivationBackward(outputs[l], dY, dY.Length, d.Activation);
                    var dw = new double[d.InWidth * d.OutWidth];
                    var db = new double[d.OutWidth];
                    Ref.Dense.BackwardWeights(xl, dY, dw, db, rows, d.InWidth, d.OutWidth);
                    dw.CopyTo(gradient, offset);
                    db.CopyTo(gradient, offset + dw.Length);
                    Ref.Dense.BackwardData(dY, w, dx, rows, d.InWidth, d.OutWidth);
                    break;
                }
                case Conv2dLayer c:
                {
                    var g = c.Geometry(rows);
                    Ref.Dense.ActivationBackward(outputs[l], dY, dY.Length, c.Activation);
                    var dw = new double[g.WeightCount];
                    var db = new double[g.OutChannels];
                    Ref.Conv2d.BackwardWeights(xl, dY, dw, db, g);
                    dw.CopyTo(gradient, offset);
                    db.CopyTo(gradient, offset + dw.Length);
                    Ref.Conv2d.BackwardData(dY, w, dx, g);
                    break;
                }
                case MaxPoolLayer p:
                    Ref.MaxPool.Backward(dY, winners[l], dx, rows, p.Input.Height, p.Input.Width, p.Input.Channels);
                    break;
            }
            dY = dx;
        }
        return mean;
    }

    /// <summary>G(x) of <paramref name="rows"/> rows: every layer's forward pass, the last one's output.</summary>
    public static double[] Embeddings(NetworkConfig config, double[] theta, double[] x, int rows)
    {
        for (int l = 0; l < config.LayerCount; l++)
        {
            var layer = config.Layers[l];
            var (w, b) = Slices(config, theta, l);
            x = Forward(layer, w, b, x, rows, layer is MaxPoolLayer ? new int[rows * layer.Output.Size] : null);
        }
        return x;
    }

    /// <summary>One layer's output over <paramref name="rows"/> rows (a max-pool records its winners); <paramref name="activation"/> overrides the layer's.</summary>
    static double[] Forward(ILayer layer, double[] w, double[] b, double[] input, int rows, int[]? winners, Activation? activation = null)
    {
        var y = new double[rows * layer.Output.Size];
        switch (layer)
        {
            case DenseLayer d:
                Ref.Dense.Forward(input, w, b, y, rows, d.InWidth, d.OutWidth, activation ?? d.Activation);
                break;
            case Conv2dLayer c:
                Ref.Conv2d.Forward(input, w, b, y, c.Geometry(rows), activation ?? c.Activation);
                break;
            case MaxPoolLayer p:
                Ref.MaxPool.Forward(input, y, winners!, rows, p.Input.Height, p.Input.Width, p.Input.Channels);
                break;
            default: throw new NotSupportedException(layer.GetType().Name);
        }
        return y;
    }

    static Activation ActivationOf(ILayer layer) => layer switch
    {
        DenseLayer d => d.Activation,
        Conv2dLayer c => c.Activation,
        _ => Activation.Identity,
    };

    /// <summary>Layer <paramref name="l"/>'s weights and biases (empty for a layer without parameters).</summary>
    public static (double[] W, double[] B) Slices(NetworkConfig config, double[] theta, int l)
    {
        int offset = config.LayerOffset(l), count = config.Layers[l].ParameterCount, biases = BiasCount(config.Layers[l]);
        return (theta.AsSpan(offset, count - biases).ToArray(), theta.AsSpan(offset + count - biases, biases).ToArray());
    }

    /// <summary>How many of a layer's parameters are biases (they come last in its slice).</summary>
    public static int BiasCount(ILayer layer) => layer switch
    {
        DenseLayer d => d.OutWidth,
        Conv2dLayer c => c.OutChannels,
        _ => 0,
    };
}
