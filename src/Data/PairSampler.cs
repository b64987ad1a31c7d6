namespace GpuSiamese.Data;

/// <summary>
/// Balanced training batches (SPEC §2, <c>make_batch</c>). A batch of B pairs holds ⌊B/2⌋ positives followed by
/// ⌊B/2⌋ negatives; when B is odd the extra pair goes to whichever kind is behind over the run so far
/// (positives on a tie), so the totals never differ by more than one. Positive classes follow a shuffled
/// round-robin over the classes with at least two images (a class of one image cannot form a positive; it still
/// serves in negatives). Negatives spread over the classes with at least one image as <see cref="ClassPairs"/> says:
/// a shuffled round-robin over the unordered class pairs with the side of each class a coin flip (MNIST's 10 digits:
/// the 45 digit pairs), or, with many classes, consecutive draws of a shuffled round-robin over the classes. Images
/// are uniform within their class, and a positive pair's two images are different images. Labels: 0 = same class,
/// 1 = different. The sampler forks its own stream from the
/// generator it is given, so its state is its own and <see cref="GetState"/>/<see cref="Restore"/> resume it.
/// </summary>
public sealed class PairSampler
{
    public const int Same = 0;
    public const int Different = 1;

    readonly int[][] _byDigit;
    readonly int[] _positiveClasses;
    readonly int[] _negativeClasses;
    readonly (int A, int B)[]? _classPairs; // null: negatives drawn from the class stream
    readonly ShuffledCycle _digits;
    readonly ShuffledCycle _pairs;
    Rng _rng;
    long _balance; // positives minus negatives drawn so far

    public PairSampler(ImageSet set, Rng rng) : this(CheckedDigits(set), rng)
    {
    }

    /// <summary>A sampler over K classes: <paramref name="byClass"/>[c] lists the image indices of class c.</summary>
    public PairSampler(int[][] byClass, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(byClass);
        ArgumentNullException.ThrowIfNull(rng);
        _byDigit = byClass;
        _positiveClasses = ClassPairs.WithAtLeast(byClass, 2);
        _negativeClasses = ClassPairs.WithAtLeast(byClass, 1);
        if (_positiveClasses.Length == 0)
            throw new ArgumentException("no class holds two images; positive pairs need at least one class with two or more");
        if (_negativeClasses.Length < 2)
            throw new ArgumentException("only one class holds images; negative pairs need at least two classes");
        _digits = new ShuffledCycle(_positiveClasses.Length);
        if (ClassPairs.Cycled(_negativeClasses.Length))
        {
            _classPairs = ClassPairs.All(_negativeClasses);
            _pairs = new ShuffledCycle(_classPairs.Length);
        }
        else
            _pairs = new ShuffledCycle(_negativeClasses.Length);
        _rng = rng.Fork();
    }

    static int[][] CheckedDigits(ImageSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var byDigit = set.IndicesByClass();
        for (int d = 0; d < byDigit.Length; d++)
            if (byDigit[d].Length < 2)
                throw new ArgumentException($"the image set holds {byDigit[d].Length} images of class {d}; pairs need at least 2 of each class", nameof(set));
        return byDigit;
    }

    /// <summary>Fills one batch; its size is the spans' common length.</summary>
    public void NextBatch(Span<int> left, Span<int> right, Span<int> labels)
    {
        int b = left.Length;
        if (right.Length != b || labels.Length != b)
            throw new ArgumentException($"left, right and labels must have one length, got {left.Length}, {right.Length}, {labels.Length}");
        int positives = b / 2;
        if (b % 2 == 1 && _balance <= 0)
            positives++;
        _balance += positives - (b - positives);

        for (int i = 0; i < positives; i++)
        {
            var images = _byDigit[_positiveClasses[_digits.Next(_rng)]];
            int x = _rng.NextInt(images.Length);
            int y = _rng.NextInt(images.Length - 1);
            if (y >= x)
                y++;
            left[i] = images[x];
            right[i] = images[y];
            labels[i] = Same;
        }
        for (int i = positives; i < b; i++)
        {
            int a, c;
            if (_classPairs is not null)
            {
                (a, c) = _classPairs[_pairs.Next(_rng)];
                if (_rng.NextInt(2) == 1)
                    (a, c) = (c, a);
            }
            else
            {
                int first = _pairs.Next(_rng);
                a = _negativeClasses[first];
                c = _negativeClasses[_pairs.NextOtherThan(_rng, first)];
            }
            left[i] = _byDigit[a][_rng.NextInt(_byDigit[a].Length)];
            right[i] = _byDigit[c][_rng.NextInt(_byDigit[c].Length)];
            labels[i] = Different;
        }
    }

    public PairSamplerState GetState()
    {
        var (digitOrder, digitCursor) = _digits.GetState();
        var (pairOrder, pairCursor) = _pairs.GetState();
        return new PairSamplerState(_rng.GetState(), digitOrder, digitCursor, pairOrder, pairCursor, _balance);
    }

    /// <summary>Continues from a state taken by <see cref="GetState"/> on a sampler over the same image set.</summary>
    public void Restore(PairSamplerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Math.Abs(state.PositiveMinusNegative) > 1)
            throw new ArgumentException($"sampler state: positive-minus-negative balance {state.PositiveMinusNegative}, expected -1, 0 or 1");
        var rng = Rng.FromState(state.Rng);
        _digits.Validate(state.DigitOrder, state.DigitCursor, "digit");
        _pairs.Validate(state.PairOrder, state.PairCursor, "digit-pair");
        _digits.Restore(state.DigitOrder, state.DigitCursor, "digit");
        _pairs.Restore(state.PairOrder, state.PairCursor, "digit-pair");
        _rng = rng;
        _balance = state.PositiveMinusNegative;
    }
}
