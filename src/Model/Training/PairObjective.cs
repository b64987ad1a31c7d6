using System.Text.Json;
using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Training;

/// <summary>
/// Balanced pairs (<see cref="PairSampler"/>) with a contrastive loss: 2B rows (left images, then right) forward,
/// pair distance, <see cref="IBackend.PairLoss"/>, then backward.
/// </summary>
public sealed class PairObjective : IBatchObjective
{
    static readonly JsonSerializerOptions SamplerJson = new() { IncludeFields = true };

    readonly IBackend _backend;
    readonly NetworkStep _step;
    readonly BatchInput _input;
    readonly PairSampler _sampler;
    readonly LossKind _loss;
    readonly float _parameter, _eps;
    readonly int _maxPairs, _dim;
    readonly DeviceBuffer<int> _labels;
    readonly DeviceBuffer<float> _dist, _lossValues, _dDist;
    readonly int[] _left, _right, _pairLabels, _rows;

    public PairObjective(IBackend backend, NetworkStep step, BatchInput input, PairSampler sampler, LossKind loss,
        double parameter, double distanceEpsilon, int maxPairs, int embeddingWidth)
    {
        _backend = backend;
        _step = step;
        _input = input;
        _sampler = sampler;
        _loss = loss;
        _parameter = (float)parameter;
        _eps = (float)distanceEpsilon;
        _maxPairs = maxPairs;
        _dim = embeddingWidth;
        _labels = backend.Allocate<int>(maxPairs);
        _dist = backend.Allocate<float>(maxPairs);
        _lossValues = backend.Allocate<float>(maxPairs);
        _dDist = backend.Allocate<float>(maxPairs);
        _left = new int[maxPairs];
        _right = new int[maxPairs];
        _pairLabels = new int[maxPairs];
        _rows = new int[2 * maxPairs];
    }

    public int RowsPerUnit => 2;

    public double NextBatch(int units, int epoch, long step)
    {
        Span<int> left = _left.AsSpan(0, units), right = _right.AsSpan(0, units), labels = _pairLabels.AsSpan(0, units);
        _sampler.NextBatch(left, right, labels);
        return Gradients(left, right, labels, step);
    }

    /// <summary>Forward and backward of the given pairs (indices into the training table); returns the batch-mean loss.</summary>
    public double Gradients(ReadOnlySpan<int> left, ReadOnlySpan<int> right, ReadOnlySpan<int> labels, long step)
    {
        int b = left.Length;
        if (b < 1 || b > _maxPairs || right.Length != b || labels.Length != b)
            throw new ArgumentException($"a batch holds 1..{_maxPairs} pairs with as many left, right and labels; got {left.Length}, {right.Length}, {labels.Length}");
        int rows = 2 * b;
        left.CopyTo(_rows);
        right.CopyTo(_rows.AsSpan(b));
        var images = _rows.AsSpan(0, rows);
        _input.Check(images);

        _backend.Upload(_labels.Slice(0, b), labels);
        _input.Load(images, _step.Input);
        _step.Forward(rows, step);
        _backend.PairDistanceForward(_step.Embeddings, _dist, b, _dim, _eps);
        _backend.PairLoss(_loss, _parameter, _dist, _labels, _lossValues, _dDist, b);
        _backend.PairDistanceBackward(_step.Embeddings, _dist, _dDist, _step.EmbeddingGradients, b, _dim, _eps);
        _step.Backward(rows, step);
        return _backend.Sum(_lossValues, b) / b;
    }

    public byte[] CaptureSampler() => JsonSerializer.SerializeToUtf8Bytes(_sampler.GetState(), SamplerJson);

    public Action PrepareRestore(byte[] state)
    {
        PairSamplerState? parsed;
        try { parsed = JsonSerializer.Deserialize<PairSamplerState>(state, SamplerJson); }
        catch (JsonException e) { throw new ArgumentException($"the saved sampler state is not a pair sampler's: {e.Message}", nameof(state)); }
        if (parsed is null) throw new ArgumentException("the saved sampler state is empty", nameof(state));
        return () => _sampler.Restore(parsed);
    }

    public void Dispose()
    {
        _labels.Dispose();
        _dist.Dispose();
        _lossValues.Dispose();
        _dDist.Dispose();
    }
}
