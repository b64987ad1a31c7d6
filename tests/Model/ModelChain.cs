using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// The whole Siamese model in double precision, straight from the reference methods: forward over 2B rows,
/// pair distance, batch-mean loss, and the backward chain into a flat gradient laid out like the parameters.
/// </summary>
public static class ModelChain
{
    /// <summary>Batch-mean loss; fills <paramref name="gradient"/> when given; records pre-activations when asked.</summary>
    public static double Loss(NetworkConfig config, double[] theta, double[] x, int[] labels, LossKind kind,
        double parameter, double eps, double[]? gradient = null, List<double[]>? preActivations = null)
    {
        int pairs = labels.Length, rows = 2 * pairs;
        var outputs = new double[config.LayerCount][];
        var input = x;
        for (int l = 0; l < config.LayerCount; l++)
        {
            int inW = config.InWidth(l), outW = config.OutWidth(l);
            var (w, b) = Slices(config, theta, l);
            outputs[l] = new double[rows * outW];
            Ref.Dense.Forward(input, w, b, outputs[l], rows, inW, outW, config.ActivationOf(l));
            if (preActivations != null)
            {
                var z = new double[rows * outW];
                Ref.Dense.Forward(input, w, b, z, rows, inW, outW, Activation.Identity);
                preActivations.Add(z);
            }
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
        for (int l = config.LayerCount - 1; l >= 0; l--)
        {
            int inW = config.InWidth(l), outW = config.OutWidth(l);
            var (w, _) = Slices(config, theta, l);
            Ref.Dense.ActivationBackward(outputs[l], dY, rows * outW, config.ActivationOf(l));
            var dw = new double[inW * outW];
            var db = new double[outW];
            var xl = l == 0 ? x : outputs[l - 1];
            Ref.Dense.BackwardWeights(xl, dY, dw, db, rows, inW, outW);
            dw.CopyTo(gradient, config.WeightOffset(l));
            db.CopyTo(gradient, config.BiasOffset(l));
            if (l > 0)
            {
                var dx = new double[rows * inW];
                Ref.Dense.BackwardData(dY, w, dx, rows, inW, outW);
                dY = dx;
            }
        }
        return mean;
    }

    static (double[] W, double[] B) Slices(NetworkConfig config, double[] theta, int l)
    {
        int inW = config.InWidth(l), outW = config.OutWidth(l);
        return (theta.AsSpan(config.WeightOffset(l), inW * outW).ToArray(), theta.AsSpan(config.BiasOffset(l), outW).ToArray());
    }
}
