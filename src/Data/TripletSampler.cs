namespace GpuSiamese.Data;

/// <summary>
/// Balanced triplets for the triplet loss: anchor digits follow a shuffled round-robin over the 10 digits, and for
/// each anchor digit the negative digit follows its own shuffled round-robin over the 9 other digits. The positive
/// is another image of the anchor's digit (never the anchor image itself); images are uniform within their digit.
/// Forks its own stream from the generator it is given; <see cref="GetState"/>/<see cref="Restore"/> resume it.
/// </summary>
public sealed class TripletSampler
{
    readonly int[][] _byDigit;
    readonly ShuffledCycle _anchors = new(10);
    readonly ShuffledCycle[] _negatives = Enumerable.Range(0, 10).Select(_ => new ShuffledCycle(9)).ToArray();
    Rng _rng;

    public TripletSampler(ImageSet set, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(rng);
        _byDigit = set.IndicesByDigit();
        for (int d = 0; d < 10; d++)
            if (_byDigit[d].Length < 2)
                throw new ArgumentException($"the image set holds {_byDigit[d].Length} images of digit {d}; triplets need at least 2 of each digit", nameof(set));
        _rng = rng.Fork();
    }

    /// <summary>Fills one batch of triplets (indices into the set); its size is the spans' common length.</summary>
    public void NextBatch(Span<int> anchor, Span<int> positive, Span<int> negative)
    {
        if (positive.Length != anchor.Length || negative.Length != anchor.Length)
            throw new ArgumentException($"anchor, positive and negative must have one length, got {anchor.Length}, {positive.Length}, {negative.Length}");
        for (int i = 0; i < anchor.Length; i++)
        {
            int d = _anchors.Next(_rng);
            var images = _byDigit[d];
            int x = _rng.NextInt(images.Length);
            int y = _rng.NextInt(images.Length - 1);
            if (y >= x)
                y++;
            int other = _negatives[d].Next(_rng);
            int n = other >= d ? other + 1 : other; // the 9 digits other than d, as 0..8
            anchor[i] = images[x];
            positive[i] = images[y];
            negative[i] = _byDigit[n][_rng.NextInt(_byDigit[n].Length)];
        }
    }

    public TripletSamplerState GetState()
    {
        var (anchorOrder, anchorCursor) = _anchors.GetState();
        var negatives = _negatives.Select(c => c.GetState()).ToArray();
        return new TripletSamplerState(_rng.GetState(), anchorOrder, anchorCursor,
            negatives.Select(n => n.Order).ToArray(), negatives.Select(n => n.Cursor).ToArray());
    }

    /// <summary>Continues from a state taken by <see cref="GetState"/> on a sampler over the same image set.</summary>
    public void Restore(TripletSamplerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.NegativeOrders is not { Length: 10 } || state.NegativeCursors is not { Length: 10 })
            throw new ArgumentException("sampler state: expected a negative-digit cycle for each of the 10 digits");
        var rng = Rng.FromState(state.Rng);
        _anchors.Validate(state.AnchorOrder, state.AnchorCursor, "anchor");
        for (int d = 0; d < 10; d++)
            _negatives[d].Validate(state.NegativeOrders[d], state.NegativeCursors[d], $"negative digit {d}");
        _anchors.Restore(state.AnchorOrder, state.AnchorCursor, "anchor");
        for (int d = 0; d < 10; d++)
            _negatives[d].Restore(state.NegativeOrders[d], state.NegativeCursors[d], $"negative digit {d}");
        _rng = rng;
    }
}
