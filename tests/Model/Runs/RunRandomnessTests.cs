using GpuSiamese.Model.Runs;

namespace GpuSiamese.Tests.Model.Runs;

public class RunRandomnessTests
{
    [Test]
    public void A_seed_gives_the_same_generators_every_time()
    {
        var a = RunRandomness.From(5);
        var b = RunRandomness.From(5);
        Assert.That((a.Split.NextUInt64(), a.TestPairs.NextUInt64(), a.Trainer.NextUInt64()),
            Is.EqualTo((b.Split.NextUInt64(), b.TestPairs.NextUInt64(), b.Trainer.NextUInt64())));
        Assert.That(a.Split.NextUInt64(), Is.Not.EqualTo(a.TestPairs.NextUInt64()));
    }
}
