using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class ShuffledCycleTests
{
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(7)]
    public void AFreshCycleNeverStartsWithTheItemToAvoid(int n)
    {
        var cycle = new ShuffledCycle(n);
        var rng = new Rng(11);
        var counts = new int[n];
        int last = cycle.Next(rng);
        counts[last]++;
        for (int draw = 1; draw < 3000 * n; draw++)
        {
            int item = cycle.NextOtherThan(rng, last);
            Assert.That(item, Is.Not.EqualTo(last), $"draw {draw}");
            counts[item]++;
            last = item;
        }
        Assert.That(counts.Max() - counts.Min(), Is.LessThanOrEqualTo(1), "each cycle stays a permutation");
    }

    [Test]
    public void ACycleOfOneGivesItsOnlyItem()
    {
        var cycle = new ShuffledCycle(1);
        var rng = new Rng(1);
        Assert.That(cycle.Next(rng), Is.EqualTo(0));
        Assert.That(cycle.NextOtherThan(rng, 0), Is.EqualTo(0), "nothing else to give");
    }

    [Test]
    public void ValidateNamesAMissingOrWrongState()
    {
        var cycle = new ShuffledCycle(4);
        string Refusal(int[] order, int cursor) => Assert.Throws<ArgumentException>(() => cycle.Validate(order, cursor, "anchor"))!.Message;
        Assert.That(Refusal(null!, 0), Is.EqualTo("sampler state: anchor cycle has the wrong length or position"));
        Assert.That(Refusal([0, 1, 2], 0), Is.EqualTo("sampler state: anchor cycle has the wrong length or position"));
        Assert.That(Refusal([0, 1, 2, 3], 5), Is.EqualTo("sampler state: anchor cycle has the wrong length or position"));
        Assert.That(Refusal([0, 1, 2, 3], -1), Is.EqualTo("sampler state: anchor cycle has the wrong length or position"));
        Assert.That(Refusal([0, 1, 1, 3], 2), Is.EqualTo("sampler state: anchor cycle is not a permutation of 0..3"));
        Assert.That(Refusal([0, 1, 4, 3], 2), Is.EqualTo("sampler state: anchor cycle is not a permutation of 0..3"));
        Assert.DoesNotThrow(() => cycle.Validate([3, 1, 0, 2], 4, "anchor"));
    }

    [Test]
    public void EveryCycleIsShuffledAfresh()
    {
        // NextOtherThan starts a new cycle with a fresh shuffle too: over 200 cycles of 6 items, orders vary.
        var cycle = new ShuffledCycle(6);
        var rng = new Rng(9);
        var orders = new HashSet<string>();
        int last = cycle.Next(rng);
        for (int c = 0; c < 200; c++)
        {
            var order = new int[6];
            for (int k = 0; k < 6; k++)
                last = order[k] = k == 0 && c == 0 ? last : cycle.NextOtherThan(rng, last);
            orders.Add(string.Join(',', order));
        }
        Assert.That(orders.Count, Is.GreaterThan(50));
    }

    [Test]
    public void RestoreRefusesWhatValidateRefusesAndAcceptsACursorOfZero()
    {
        var cycle = new ShuffledCycle(3);
        Assert.Throws<ArgumentException>(() => cycle.Restore([0, 0, 1], 1, "digit"));
        Assert.DoesNotThrow(() => cycle.Restore([2, 0, 1], 0, "digit"));
        Assert.That(cycle.Next(new Rng(1)), Is.EqualTo(2), "a cursor of 0 continues at the first item");
    }

    [Test]
    public void ASecondCycleIsStillAPermutationWhateverTheFirst()
    {
        // The reset before each shuffle: after a restored order, the next cycle still gives every item once.
        var cycle = new ShuffledCycle(5);
        cycle.Restore([4, 3, 2, 1, 0], 5, "x");
        var rng = new Rng(3);
        Assert.That(Enumerable.Range(0, 5).Select(_ => cycle.Next(rng)).Order(), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
    }
}
