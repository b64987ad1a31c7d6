namespace GpuSiamese.Data;

/// <summary>
/// How negatives are spread over the classes. With few classes (at most <see cref="MaxCycledPairs"/> unordered class
/// pairs) every unordered pair {a, b}, a &lt; b, is listed in lexicographic order and cycled through (for MNIST's ten
/// digits these are <see cref="DigitPairs.All"/>). With more, cycling through C(K,2) pairs would take too long to be even
/// over a run, so negatives take their two classes as consecutive draws of one shuffled round-robin over the classes
/// (<see cref="ShuffledCycle.NextOtherThan"/>): after n negatives every class has been a member of 2n/K of them, ±1.
/// </summary>
public static class ClassPairs
{
    public const int MaxCycledPairs = 1225; // C(50, 2)

    /// <summary>The classes of <paramref name="byClass"/> with at least <paramref name="minImages"/> images, ascending.</summary>
    public static int[] WithAtLeast(int[][] byClass, int minImages) =>
        Enumerable.Range(0, byClass.Length).Where(c => byClass[c].Length >= minImages).ToArray();

    /// <summary>True when the unordered pairs of <paramref name="classCount"/> classes are few enough to cycle through.</summary>
    public static bool Cycled(int classCount) => (long)classCount * (classCount - 1) / 2 <= MaxCycledPairs;

    /// <summary>Every unordered pair of the given classes, {a, b} with a before b in <paramref name="classes"/>, lexicographic.</summary>
    public static (int A, int B)[] All(int[] classes)
    {
        var pairs = new List<(int, int)>(classes.Length * (classes.Length - 1) / 2);
        for (int i = 0; i < classes.Length; i++)
            for (int j = i + 1; j < classes.Length; j++)
                pairs.Add((classes[i], classes[j]));
        return [.. pairs];
    }
}
