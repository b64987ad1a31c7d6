namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Dense layer in double precision. Layouts, shared by every backend: X is [rows, inW] row-major,
/// W is [inW, outW] row-major (Y = X·W + b), b is [outW], Y is [rows, outW].
/// Forward and the backward passes overwrite their outputs (one backward per step, no accumulation).
/// </summary>
public static class Dense
{
    /// <summary>Y[r,o] = act(b[o] + Σ_i X[r,i]·W[i,o]).</summary>
    public static void Forward(double[] x, double[] w, double[] b, double[] y, int rows, int inW, int outW, Activation act)
    {
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outW; o++)
            {
                double s = b[o];
                for (int i = 0; i < inW; i++) s += x[r * inW + i] * w[i * outW + o];
                y[r * outW + o] = act == Activation.Relu ? Math.Max(s, 0.0) : s;
            }
    }

    /// <summary>In place: dY[k] *= act'(Y[k]) for k &lt; n (<see cref="Activations.Backward"/>; ReLU: 1 where Y &gt; 0, else 0).</summary>
    public static void ActivationBackward(double[] y, double[] dy, int n, Activation act)
    {
        if (act == Activation.Identity) return;
        if (act == Activation.Relu)
        {
            for (int k = 0; k < n; k++) if (y[k] <= 0) dy[k] = 0;
            return;
        }
        Activations.Backward(y, dy, n, act);
    }

    /// <summary>dX[r,i] = Σ_o dY[r,o]·W[i,o]  (dX = dY·Wᵀ).</summary>
    public static void BackwardData(double[] dy, double[] w, double[] dx, int rows, int inW, int outW)
    {
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < inW; i++)
            {
                double s = 0;
                for (int o = 0; o < outW; o++) s += dy[r * outW + o] * w[i * outW + o];
                dx[r * inW + i] = s;
            }
    }

    /// <summary>dW[i,o] = Σ_r X[r,i]·dY[r,o]  (dW = Xᵀ·dY); db[o] = Σ_r dY[r,o].</summary>
    public static void BackwardWeights(double[] x, double[] dy, double[] dw, double[] db, int rows, int inW, int outW)
    {
        for (int i = 0; i < inW; i++)
            for (int o = 0; o < outW; o++)
            {
                double s = 0;
                for (int r = 0; r < rows; r++) s += x[r * inW + i] * dy[r * outW + o];
                dw[i * outW + o] = s;
            }
        for (int o = 0; o < outW; o++)
        {
            double s = 0;
            for (int r = 0; r < rows; r++) s += dy[r * outW + o];
            db[o] = s;
        }
    }
}
