using System.Text.Json;
using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Training;

/// <summary>
/// Balanced triplets (<see cref="TripletSampler"/>) with <see cref="IBackend.TripletLoss"/>: 3B rows (anchors,
/// positives, negatives). With batch-hard mining (from epoch <see cref="TrainingConfig.MiningWarmupEpochs"/> + 1 on)
/// the batch is first embedded as the network stands and each anchor's positive and negative re-picked among its
/// rows (<see cref="BatchHardMining"/>).
/// </summary>
public sealed class TripletObjective : IBatchObjective
{
    static readonly JsonSerializerOptions SamplerJson = new() { IncludeFields = true };

    readonly IBackend _backend;
    readonly NetworkStep _step;
    readonly BatchInput _input;
    readonly TripletSampler _sampler;
    readonly float _margin, _eps;
    readonly int _maxTriplets, _dim;
    readonly int? _miningFromEpoch;
    readonly DeviceBuffer<float> _lossValues;
    readonly int[] _anchors, _positives, _negatives, _rows, _digits, _hardPositive, _hardNegative;
    readonly float[] _embeddings;

    /// <param name="miningFromEpoch">The 0-based epoch batch-hard mining starts at; null = no mining.</param>
    public TripletObjective(IBackend backend, NetworkStep step, BatchInput input, TripletSampler sampler, double margin,
        double distanceEpsilon, int maxTriplets, int embeddingWidth, int? miningFromEpoch)
    {
        _backend = backend;
        _step = step;
        _input = input;
        _sampler = sampler;
        _margin = (float)margin;
        _eps = (float)distanceEpsilon;
        _maxTriplets = maxTriplets;
        _dim = embeddingWidth;
        _miningFromEpoch = miningFromEpoch;
        _lossValues = backend.Allocate<float>(maxTriplets);
        _anchors = new int[maxTriplets];
        _positives = new int[maxTriplets];
        _negatives = new int[maxTriplets];
        _rows = new int[3 * maxTriplets];
        bool mining = miningFromEpoch is not null;
        _digits = new int[mining ? 3 * maxTriplets : 0];
        _hardPositive = new int[mining ? maxTriplets : 0];
        _hardNegative = new int[mining ? maxTriplets : 0];
        _embeddings = mining ? new float[3 * maxTriplets * embeddingWidth] : [];
    }

    public int RowsPerUnit => 3;

    public double NextBatch(int units, int epoch, long step)
    {
        Span<int> a = _anchors.AsSpan(0, units), p = _positives.AsSpan(0, units), n = _negatives.AsSpan(0, units);
        _sampler.NextBatch(a, p, n);
        return Gradients(a, p, n, epoch, step);
    }

    /// <summary>Forward and backward of the given triplets (indices into the training table); returns the batch-mean loss.</summary>
    public double Gradients(ReadOnlySpan<int> anchor, ReadOnlySpan<int> positive, ReadOnlySpan<int> negative, int epoch, long step)
    {
        int b = anchor.Length;
        if (b < 1 || b > _maxTriplets || positive.Length != b || negative.Length != b)
            throw new ArgumentException($"a batch holds 1..{_maxTriplets} triplets with as many anchors, positives and negatives; got {anchor.Length}, {positive.Length}, {negative.Length}");
        int rows = 3 * b;
        anchor.CopyTo(_rows);
        positive.CopyTo(_rows.AsSpan(b));
        negative.CopyTo(_rows.AsSpan(2 * b));
        _input.Check(_rows.AsSpan(0, rows));
        if (_miningFromEpoch is { } from && epoch >= from) MineBatchHard(b);

        _input.Load(_rows.AsSpan(0, rows), _step.Input);
        _step.Forward(rows, step);
        _backend.TripletLoss(_step.Embeddings, _lossValues, _step.EmbeddingGradients, b, _dim, _margin, _eps);
        _step.Backward(rows, step);
        return _backend.Sum(_lossValues, b) / b;
    }

    /// <summary>
    /// Embeds the batch's 3B rows as the network stands (no dropout), then rewrites the positives and negatives
    /// of <see cref="_rows"/> with each anchor's hardest ones among those rows.
    /// </summary>
    void MineBatchHard(int b)
    {
        int rows = 3 * b;
        var labels = _input.Images.Labels;
        for (int r = 0; r < rows; r++) _digits[r] = labels[_rows[r]];
        _input.Load(_rows.AsSpan(0, rows), _step.Input);
        _step.ForwardWithoutDropout(rows);
        var embeddings = _embeddings.AsSpan(0, rows * _dim);
        _backend.Download(_step.Embeddings.Slice(0, rows * _dim), embeddings);
        BatchHardMining.Select(embeddings, _digits.AsSpan(0, rows), _dim, b, _hardPositive, _hardNegative);
        // Rows to images for all anchors first: a picked row may be a positive or negative slot about to be rewritten.
        for (int t = 0; t < b; t++)
        {
            _hardPositive[t] = _rows[_hardPositive[t]];
            _hardNegative[t] = _rows[_hardNegative[t]];
        }
        _hardPositive.AsSpan(0, b).CopyTo(_rows.AsSpan(b));
        _hardNegative.AsSpan(0, b).CopyTo(_rows.AsSpan(2 * b));
    }

    public byte[] CaptureSampler() => JsonSerializer.SerializeToUtf8Bytes(_sampler.GetState(), SamplerJson);

    public Action PrepareRestore(byte[] state)
    {
        TripletSamplerState? parsed;
        try { parsed = JsonSerializer.Deserialize<TripletSamplerState>(state, SamplerJson); }
        catch (JsonException e) { throw new ArgumentException($"the saved sampler state is not a triplet sampler's: {e.Message}", nameof(state)); }
        if (parsed is null) throw new ArgumentException("the saved sampler state is empty", nameof(state));
        return () => _sampler.Restore(parsed);
    }

    public void Dispose() => _lossValues.Dispose();
}
