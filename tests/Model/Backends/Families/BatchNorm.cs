using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// Batch normalisation: the reference backend's part (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void BatchNormTrainingForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
        DeviceBuffer<float> saved, DeviceBuffer<float> running, DeviceBuffer<float> work, int samples, int channels, float momentum, float eps)
    {
        BackendContract.BatchNormTrainingForward(x, gamma, beta, y, saved, running, work, samples, channels, momentum, eps);
        var (yd, sd, rd) = (new double[samples * channels], new double[2 * channels], D(running, 2 * channels));
        Ref.BatchNorm.TrainingForward(D(x, samples * channels), D(gamma, channels), D(beta, channels), yd, sd, rd, samples, channels, momentum, eps);
        Put(y, yd); Put(saved, sd); Put(running, rd);
    }

    public void BatchNormScoringForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> running,
        DeviceBuffer<float> y, DeviceBuffer<float> work, int samples, int channels, float eps)
    {
        BackendContract.BatchNormScoringForward(x, gamma, beta, running, y, work, samples, channels, eps);
        var yd = new double[samples * channels];
        Ref.BatchNorm.ScoringForward(D(x, samples * channels), D(gamma, channels), D(beta, channels), D(running, 2 * channels), yd, samples, channels, eps);
        Put(y, yd);
    }

    public void BatchNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma, DeviceBuffer<float> saved,
        DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, DeviceBuffer<float> work, int samples, int channels)
    {
        BackendContract.BatchNormBackward(x, dy, gamma, saved, dx, dgamma, dbeta, work, samples, channels);
        var (dxd, dg, db) = (new double[samples * channels], new double[channels], new double[channels]);
        Ref.BatchNorm.Backward(D(x, samples * channels), D(dy, samples * channels), D(gamma, channels), D(saved, 2 * channels), dxd, dg, db, samples, channels);
        Put(dx, dxd); Put(dgamma, dg); Put(dbeta, db);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void BatchNormTrainingForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
        DeviceBuffer<float> saved, DeviceBuffer<float> running, DeviceBuffer<float> work, int samples, int channels, float momentum, float eps) =>
        Inner.BatchNormTrainingForward(x, gamma, beta, y, saved, running, work, samples, channels, momentum, eps);

    public virtual void BatchNormScoringForward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> running,
        DeviceBuffer<float> y, DeviceBuffer<float> work, int samples, int channels, float eps) =>
        Inner.BatchNormScoringForward(x, gamma, beta, running, y, work, samples, channels, eps);

    public virtual void BatchNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma, DeviceBuffer<float> saved,
        DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, DeviceBuffer<float> work, int samples, int channels) =>
        Inner.BatchNormBackward(x, dy, gamma, saved, dx, dgamma, dbeta, work, samples, channels);
}
