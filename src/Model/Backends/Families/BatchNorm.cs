using GpuSiamese.Kernels.Ilgpu;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// Batch normalisation over channels last (X [M, C]): the family's operations of IBackend, their checks in
// BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels: src/Kernels/*/BatchNorm.cs;
// the reference backend's part: tests/Model/Backends/Families/BatchNorm.cs). Each operation takes a work buffer of at
// least 3·C floats for its per-channel coefficients (the layer's scratch), so that no backend allocates per call.

public partial interface IBackend
{
    /// <summary>
    /// Reference: <see cref="Kernels.Reference.BatchNorm.TrainingForward"/>: y from the batch's statistics, saved =
    /// [μ, 1/sqrt(σ² + ε)] (2·C) for the backward pass, running = [mean, var] (2·C) moved by the momentum in place.
    /// </summary>
    void BatchNormTrainingForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
        DeviceBuffer<float> saved, DeviceBuffer<float> running, DeviceBuffer<float> work, int samples, int channels, float momentum, float eps);

    /// <summary>Reference: <see cref="Kernels.Reference.BatchNorm.ScoringForward"/>: y from the running averages.</summary>
    void BatchNormScoringForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> running,
        DeviceBuffer<float> y, DeviceBuffer<float> work, int samples, int channels, float eps);

    /// <summary>Reference: <see cref="Kernels.Reference.BatchNorm.Backward"/> (dx, dγ and dβ overwritten) from the training pass's saved statistics.</summary>
    void BatchNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma, DeviceBuffer<float> saved,
        DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, DeviceBuffer<float> work, int samples, int channels);
}

public static partial class BackendContract
{
    public static void BatchNormTrainingForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
        DeviceBuffer<float> saved, DeviceBuffer<float> running, DeviceBuffer<float> work, int samples, int channels, float momentum, float eps)
    {
        Sizes((samples, nameof(samples)), (channels, nameof(channels)));
        long n = (long)samples * channels;
        Holds(x, n, nameof(x)); Holds(gamma, channels, nameof(gamma)); Holds(beta, channels, nameof(beta)); Holds(y, n, nameof(y));
        Holds(saved, 2L * channels, nameof(saved)); Holds(running, 2L * channels, nameof(running)); Holds(work, 3L * channels, nameof(work));
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "a batch norm's momentum is in [0, 1]");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "a batch norm's epsilon must be positive");
        Apart(y, n, nameof(y), (x, n, nameof(x)), (gamma, channels, nameof(gamma)), (beta, channels, nameof(beta)),
            (saved, 2L * channels, nameof(saved)), (running, 2L * channels, nameof(running)), (work, 3L * channels, nameof(work)));
        Apart(saved, 2L * channels, nameof(saved), (x, n, nameof(x)), (running, 2L * channels, nameof(running)), (work, 3L * channels, nameof(work)));
        Apart(running, 2L * channels, nameof(running), (x, n, nameof(x)), (work, 3L * channels, nameof(work)));
    }

    public static void BatchNormScoringForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> running,
        DeviceBuffer<float> y, DeviceBuffer<float> work, int samples, int channels, float eps)
    {
        Sizes((samples, nameof(samples)), (channels, nameof(channels)));
        long n = (long)samples * channels;
        Holds(x, n, nameof(x)); Holds(gamma, channels, nameof(gamma)); Holds(beta, channels, nameof(beta));
        Holds(running, 2L * channels, nameof(running)); Holds(y, n, nameof(y)); Holds(work, 3L * channels, nameof(work));
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "a batch norm's epsilon must be positive");
        Apart(y, n, nameof(y), (x, n, nameof(x)), (gamma, channels, nameof(gamma)), (beta, channels, nameof(beta)),
            (running, 2L * channels, nameof(running)), (work, 3L * channels, nameof(work)));
    }

    public static void BatchNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma, DeviceBuffer<float> saved,
        DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, DeviceBuffer<float> work, int samples, int channels)
    {
        Sizes((samples, nameof(samples)), (channels, nameof(channels)));
        long n = (long)samples * channels;
        Holds(x, n, nameof(x)); Holds(dy, n, nameof(dy)); Holds(gamma, channels, nameof(gamma)); Holds(saved, 2L * channels, nameof(saved));
        Holds(dx, n, nameof(dx)); Holds(dgamma, channels, nameof(dgamma)); Holds(dbeta, channels, nameof(dbeta)); Holds(work, 3L * channels, nameof(work));
        Apart(dx, n, nameof(dx), (x, n, nameof(x)), (dy, n, nameof(dy)), (gamma, channels, nameof(gamma)), (saved, 2L * channels, nameof(saved)),
            (dgamma, channels, nameof(dgamma)), (dbeta, channels, nameof(dbeta)), (work, 3L * channels, nameof(work)));
        Apart(dgamma, channels, nameof(dgamma), (x, n, nameof(x)), (dy, n, nameof(dy)), (gamma, channels, nameof(gamma)),
            (saved, 2L * channels, nameof(saved)), (dbeta, channels, nameof(dbeta)), (work, 3L * channels, nameof(work)));
        Apart(dbeta, channels, nameof(dbeta), (x, n, nameof(x)), (dy, n, nameof(dy)), (saved, 2L * channels, nameof(saved)), (work, 3L * channels, nameof(work)));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void BatchNormTrainingForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
        DeviceBuffer<float> saved, DeviceBuffer<float> running, DeviceBuffer<float> work, int samples, int channels, float momentum, float eps)
    {
        BackendContract.BatchNormTrainingForward(x, gamma, beta, y, saved, running, work, samples, channels, momentum, eps);
        if (samples == 0 || channels == 0) return;
        float* xp = Own(x, nameof(x)).Pointer, gp = Own(gamma, nameof(gamma)).Pointer, bp = Own(beta, nameof(beta)).Pointer;
        float* yp = Own(y, nameof(y)).Pointer, sp = Own(saved, nameof(saved)).Pointer, rp = Own(running, nameof(running)).Pointer;
        float* wp = Own(work, nameof(work)).Pointer;
        int lanes = System.Numerics.Vector<float>.Count;
        Split(channels, lanes, 4L * samples * channels, (s, e, _) => SimdKernels.BatchNorm.Statistics(xp, sp, rp, samples, channels, s, e, momentum, eps));
        for (int c = 0; c < channels; c++)
        {
            wp[c] = gp[c] * sp[channels + c];
            wp[channels + c] = bp[c] - sp[c] * wp[c];
        }
        Split(samples, 1, 2L * samples * channels, (s, e, _) => SimdKernels.BatchNorm.Affine(xp, wp, wp + channels, yp, s, e, channels));
    }

    public void BatchNormScoringForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> running,
        DeviceBuffer<float> y, DeviceBuffer<float> work, int samples, int channels, float eps)
    {
        BackendContract.BatchNormScoringForward(x, gamma, beta, running, y, work, samples, channels, eps);
        if (samples == 0 || channels == 0) return;
        float* xp = Own(x, nameof(x)).Pointer, gp = Own(gamma, nameof(gamma)).Pointer, bp = Own(beta, nameof(beta)).Pointer;
        float* rp = Own(running, nameof(running)).Pointer, yp = Own(y, nameof(y)).Pointer, wp = Own(work, nameof(work)).Pointer;
        for (int c = 0; c < channels; c++)
        {
            double scale = gp[c] / Math.Sqrt(rp[channels + c] + (double)eps);
            wp[c] = (float)scale;
            wp[channels + c] = (float)(bp[c] - rp[c] * scale);
        }
        Split(samples, 1, 2L * samples * channels, (s, e, _) => SimdKernels.BatchNorm.Affine(xp, wp, wp + channels, yp, s, e, channels));
    }

    public void BatchNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma, DeviceBuffer<float> saved,
        DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, DeviceBuffer<float> work, int samples, int channels)
    {
        BackendContract.BatchNormBackward(x, dy, gamma, saved, dx, dgamma, dbeta, work, samples, channels);
        if (channels == 0) return;
        float* xp = Own(x, nameof(x)).Pointer, dyp = Own(dy, nameof(dy)).Pointer, gp = Own(gamma, nameof(gamma)).Pointer;
        float* sp = Own(saved, nameof(saved)).Pointer, dxp = Own(dx, nameof(dx)).Pointer, dgp = Own(dgamma, nameof(dgamma)).Pointer;
        float* dbp = Own(dbeta, nameof(dbeta)).Pointer, wp = Own(work, nameof(work)).Pointer;
        int lanes = System.Numerics.Vector<float>.Count;
        Split(channels, lanes, 4L * samples * channels, (s, e, _) => SimdKernels.BatchNorm.GradientSums(xp, dyp, gp, sp, dgp, dbp, wp, samples, channels, s, e));
        Split(samples, 1, 3L * samples * channels, (s, e, _) => SimdKernels.BatchNorm.InputGradient(xp, dyp, wp, dxp, s, e, channels));
    }
}

public sealed partial class IlgpuBackend
{
    public void BatchNormTrainingForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
        DeviceBuffer<float> saved, DeviceBuffer<float> running, DeviceBuffer<float> work, int samples, int channels, float momentum, float eps)
    {
        BackendContract.BatchNormTrainingForward(x, gamma, beta, y, saved, running, work, samples, channels, momentum, eps);
        if (samples == 0 || channels == 0) return;
        var k = K<BatchNormKernels>();
        var perChannel = new BatchNormArgs(samples, channels, momentum, eps, rt.Plan.Split(channels));
        k.Statistics(perChannel.Work.Threads, Of(x).View, Of(gamma).View, Of(beta).View, Of(saved).View, Of(running).View, Of(work).View, perChannel);
        var perValue = new BatchNormArgs(samples, channels, momentum, eps, rt.Plan.Split(samples * channels));
        k.Affine(perValue.Work.Threads, Of(x).View, Of(work).View, Of(y).View, perValue);
    }

    public void BatchNormScoringForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> running,
        DeviceBuffer<float> y, DeviceBuffer<float> work, int samples, int channels, float eps)
    {
        BackendContract.BatchNormScoringForward(x, gamma, beta, running, y, work, samples, channels, eps);
        if (samples == 0 || channels == 0) return;
        var k = K<BatchNormKernels>();
        var perChannel = new BatchNormArgs(samples, channels, 0f, eps, rt.Plan.Split(channels));
        k.ScoringCoefficients(perChannel.Work.Threads, Of(gamma).View, Of(beta).View, Of(running).View, Of(work).View, perChannel);
        var perValue = new BatchNormArgs(samples, channels, 0f, eps, rt.Plan.Split(samples * channels));
        k.Affine(perValue.Work.Threads, Of(x).View, Of(work).View, Of(y).View, perValue);
    }

    public void BatchNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma, DeviceBuffer<float> saved,
        DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, DeviceBuffer<float> work, int samples, int channels)
    {
        BackendContract.BatchNormBackward(x, dy, gamma, saved, dx, dgamma, dbeta, work, samples, channels);
        if (channels == 0) return;
        var k = K<BatchNormKernels>();
        var perChannel = new BatchNormArgs(samples, channels, 0f, 1f, rt.Plan.Split(channels));
        k.GradientSums(perChannel.Work.Threads, Of(x).View, Of(dy).View, Of(gamma).View, Of(saved).View, Of(dgamma).View, Of(dbeta).View,
            Of(work).View, perChannel);
        if (samples == 0) return;
        var perValue = new BatchNormArgs(samples, channels, 0f, 1f, rt.Plan.Split(samples * channels));
        k.InputGradient(perValue.Work.Threads, Of(x).View, Of(dy).View, Of(work).View, Of(dx).View, perValue);
    }
}
