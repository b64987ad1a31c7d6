namespace GpuSiamese.Data;

/// <summary>The 45 unordered digit pairs {a, b}, a &lt; b, in lexicographic order.</summary>
public static class DigitPairs
{
    public const int Count = 45;

    public static IReadOnlyList<(int A, int B)> All { get; } = Build();

    /// <summary>The position of {a, b} in <see cref="All"/>, whichever order a and b come in.</summary>
    public static int IndexOf(int a, int b)
    {
        if (a == b || (uint)a > 9 || (uint)b > 9)
            throw new ArgumentException($"expected two different digits, got {a} and {b}");
        if (a > b)
            (a, b) = (b, a);
        return a * (19 - a) / 2 + (b - a - 1);
    }

    static (int, int)[] Build()
    {
        var pairs = new List<(int, int)>(Count);
        for (int a = 0; a < 10; a++)
            for (int b = a + 1; b < 10; b++)
                pairs.Add((a, b));
        return [.. pairs];
    }
}
