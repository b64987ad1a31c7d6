using GpuSiamese.Model;
using GpuSiamese.Model.Layers;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// The whole Siamese model in double precision: every layer's own twin walked over the graph
/// (<see cref="ReferenceNetwork"/>) on 2B rows, pair distance and batch-mean loss from the reference methods, and the
/// backward chain into a flat gradient laid out like the parameters. The network runs in training mode, as a training
/// step does (batch norm over the batch).
/// </summary>
public static class ModelChain
{
    /// <summary>
    /// Batch-mean loss; fills <paramref name="gradient"/> when given; records into <paramref name="preActivations"/>, when
    /// asked, every layer's distances to its non-differentiable points (ReLU pre-activations) as one array.
    /// </summary>
    public static double Loss(NetworkConfig config, double[] theta, double[] x, int[] labels, LossKind kind,
        double parameter, double eps, double[]? gradient = null, List<double[]>? preActivations = null)
    {
        int pairs = labels.Length, rows = 2 * pairs;
        var kinks = preActivations is null ? null : new List<double>();
        var forward = ReferenceNetwork.Forward(config, theta, null, x, rows, PassMode.Training, kinks);
        if (kinks is not null) preActivations!.Add([.. kinks]);
        int dim = config.OutputWidth;
        var dist = new double[pairs];
        Ref.PairDistance.Forward(forward.Embeddings, dist, pairs, dim, eps);
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
        Ref.PairDistance.Backward(forward.Embeddings, dist, dDist, dY, pairs, dim, eps);
        ReferenceNetwork.Backward(forward, dY).CopyTo(gradient, 0);
        return mean;
    }

    /// <summary>G(x) of <paramref name="rows"/> rows in scoring mode: every layer's forward pass, the last one's output.</summary>
    public static double[] Embeddings(NetworkConfig config, double[] theta, double[] x, int rows, double[]? state = null) =>
        ReferenceNetwork.Forward(config, theta, state, x, rows).Embeddings;

    /// <summary>How many of a layer's parameters are biases (they come last in its slice).</summary>
    public static int BiasCount(ILayer layer) => layer.Tensors.Where(t => t.Name == "bias").Sum(t => t.Length);
}
