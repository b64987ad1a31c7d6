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
