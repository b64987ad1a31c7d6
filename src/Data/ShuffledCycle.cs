namespace GpuSiamese.Data;

/// <summary>
/// A shuffled round-robin over the items 0..n-1: each cycle is a fresh random permutation, so after any number
/// of draws, counted from the start, the per-item counts differ by at most one.
/// </summary>
internal sealed class ShuffledCycle
{
    readonly int[] _order;
    int _cursor;

    public ShuffledCycle(int n)
    {
        _order = new int[n];
        for (int i = 0; i < n; i++)
            _order[i] = i; // a permutation before the first draw too, so a state taken then validates and restores
        _cursor = n; // the first draw shuffles
    }

    public int Length => _order.Length;

    public int Next(Rng rng)
    {
        if (_cursor == _order.Length)
        {
            for (int i = 0; i < _order.Length; i++)
                _order[i] = i;
            rng.Shuffle(_order.AsSpan());
            _cursor = 0;
        }
        return _order[_cursor++];
    }

    /// <summary>
    /// The next item, never <paramref name="avoid"/> (the draw just before, from this cycle): within a cycle items are
    /// distinct anyway, and a fresh cycle that would start with it has its first item swapped with a random later one.
    /// Each cycle stays a permutation, so the per-item counts still differ by at most one.
    /// </summary>
    public int NextOtherThan(Rng rng, int avoid)
    {
        if (_cursor == _order.Length)
        {
            Next(rng);
            _cursor = 0;
            if (_order[0] == avoid && _order.Length > 1)
            {
                int j = 1 + rng.NextInt(_order.Length - 1);
                (_order[0], _order[j]) = (_order[j], _order[0]);
            }
        }
        return _order[_cursor++];
    }

    public (int[] Order, int Cursor) GetState() => ((int[])_order.Clone(), _cursor);

    public void Restore(int[] order, int cursor, string what)
    {
        Validate(order, cursor, what);
        order.CopyTo(_order, 0);
        _cursor = cursor;
    }

    /// <summary>Throws unless <paramref name="order"/> is a permutation of this cycle's items and the cursor lies within it.</summary>
    public void Validate(int[] order, int cursor, string what)
    {
        if (order is null || order.Length != _order.Length || cursor < 0 || cursor > order.Length)
            throw new ArgumentException($"sampler state: {what} cycle has the wrong length or position");
        var seen = new bool[order.Length];
        foreach (int v in order)
        {
            if ((uint)v >= (uint)order.Length || seen[v])
                throw new ArgumentException($"sampler state: {what} cycle is not a permutation of 0..{order.Length - 1}");
            seen[v] = true;
        }
    }
}
