namespace GpuSiamese.Data;

/// <summary>
/// Balanced triplets for the triplet loss over K classes: anchor classes follow a shuffled round-robin over the classes
/// with at least two images, and for each anchor class the negative class follows its own shuffled round-robin over the
/// other classes with images (a class of one image serves as a negative only), so every class is within ±1 of the others
/// as an anchor and, for each anchor class, as its negative. The positive is another image of the anchor's class (never
/// the anchor image itself); images are uniform within their class. MNIST's ten digits give exactly the digit sampler's
/// draws. Forks its own stream from the generator it is given; <see cref="GetState"/>/<see cref="Restore"/> resume it.
/// </summary>
public sealed class TripletSampler
{
    readonly int[][] _byClass;
    readonly int[] _anchorClasses;
    readonly int[][] _othersOf; // per anchor (index into _anchorClasses): the other classes with images, ascending
    readonly ShuffledCycle _anchors;
    readonly ShuffledCycle[] _negatives;
    Rng _rng;

    /// <summary>A sampler over K classes: <paramref name="byClass"/>[c] lists the image indices of class c.</summary>
    public TripletSampler(int[][] byClass, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(byClass);
        ArgumentNullException.ThrowIfNull(rng);
        _byClass = byClass;
        _anchorClasses = ClassPairs.WithAtLeast(byClass, 2);
        var negativeClasses = ClassPairs.WithAtLeast(byClass, 1);
        if (_anchorClasses.Length == 0)
            throw new ArgumentException("no class holds two images; triplets need a class with at least two (anchor and positive)");
        if (negativeClasses.Length < 2)
            throw new ArgumentException("only one class holds images; triplets need a second class for their negatives");
        _othersOf = _anchorClasses.Select(a => negativeClasses.Where(c => c != a).ToArray()).ToArray();
        _anchors = new ShuffledCycle(_anchorClasses.Length);
        _negatives = _othersOf.Select(o => new ShuffledCycle(o.Length)).ToArray();
        _rng = rng.Fork();
    }

    /// <summary>MNIST's form: every digit of <paramref name="set"/> must hold two images.</summary>
    public TripletSampler(ImageSet set, Rng rng) : this(Checked(set), rng)
    {
    }

    static int[][] Checked(ImageSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var byClass = set.IndicesByClass();
        for (int d = 0; d < byClass.Length; d++)
            if (byClass[d].Length < 2)
                throw new ArgumentException($"the image set holds {byClass[d].Length} images of class {d}; triplets need at least 2 of each class", nameof(set));
        return byClass;
    }

    /// <summary>Fills one batch of triplets (indices into the set); its size is the spans' common length.</summary>
    public void NextBatch(Span<int> anchor, Span<int> positive, Span<int> negative)
    {
        if (positive.Length != anchor.Length || negative.Length != anchor.Length)
            throw new ArgumentException($"anchor, positive and negative must have one length, got {anchor.Length}, {positive.Length}, {negative.Length}");
        for (int i = 0; i < anchor.Length; i++)
        {
            int a = _anchors.Next(_rng);
            var images = _byClass[_anchorClasses[a]];
            int x = _rng.NextInt(images.Length);
            int y = _rng.NextInt(images.Length - 1);
            if (y >= x)
                y++;
            int n = _othersOf[a][_negatives[a].Next(_rng)];
            anchor[i] = images[x];
            positive[i] = images[y];
            negative[i] = _byClass[n][_rng.NextInt(_byClass[n].Length)];
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
        int k = _anchorClasses.Length;
        if (state.NegativeOrders is null || state.NegativeOrders.Length != k || state.NegativeCursors is null || state.NegativeCursors.Length != k)
            throw new ArgumentException($"sampler state: expected a negative-class cycle for each of the {k} anchor classes");
        var rng = Rng.FromState(state.Rng);
        _anchors.Validate(state.AnchorOrder, state.AnchorCursor, "anchor");
        for (int d = 0; d < k; d++)
            _negatives[d].Validate(state.NegativeOrders[d], state.NegativeCursors[d], $"negative class {d}");
        _anchors.Restore(state.AnchorOrder, state.AnchorCursor, "anchor");
        for (int d = 0; d < k; d++)
            _negatives[d].Restore(state.NegativeOrders[d], state.NegativeCursors[d], $"negative class {d}");
        _rng = rng;
    }
}
