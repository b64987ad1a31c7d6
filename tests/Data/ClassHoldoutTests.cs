using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class ClassHoldoutTests
{
    static readonly string[] Names = ["Sandal", "Bag", "7", "Coat", "Dress"];

    [Test]
    public void NamesAndACountChoose()
    {
        Assert.That(ClassHoldout.Choose("Coat, Bag", Names, new Rng(1)), Is.EqualTo(new[] { 1, 3 }));
        Assert.That(ClassHoldout.Choose("7,", Names, new Rng(1)), Is.EqualTo(new[] { 2 }), "a numeric name takes a comma");
        var three = ClassHoldout.Choose("3", Names, new Rng(1));
        Assert.That(three, Has.Length.EqualTo(3).And.Ordered.And.Unique);
        Assert.That(ClassHoldout.Choose("3", Names, new Rng(1)), Is.EqualTo(three), "the seed decides");
    }

    [TestCase("", "empty")]
    [TestCase(" , ", "no class names")]
    [TestCase("Hat", "no class named 'Hat'")]
    [TestCase("0", "expected a count from 1 to 3")]
    [TestCase("4", "expected a count from 1 to 3")]
    [TestCase("Sandal,Bag,7,Coat", "leaving 1 to train on")]
    public void BadListsAreRefused(string spec, string words)
    {
        var e = Assert.Throws<ArgumentException>(() => ClassHoldout.Choose(spec, Names, new Rng(1)));
        Assert.That(e!.Message, Does.Contain("--holdout-classes").And.Contain(words));
    }

    [Test]
    public void HeldOutClassesLeaveTrainingEntirelyAndAllTheirImagesAreUnseen()
    {
        var shape = new ImageShape(1, 1, 1);
        var train = new LabelledImages(shape, [0, 1, 2, 3, 4, 5], [0, 1, 2, 0, 1, 2]);
        var test = new LabelledImages(shape, [10, 11, 12], [0, 1, 2]);
        var data = new Dataset("x", ["a", "b", "c"], train, test, Preprocessing.MnistDefault, []);
        var split = ClassHoldout.Apply(data, [1]);
        Assert.That(split.Train.Labels, Is.EqualTo(new[] { 0, 2, 0, 2 }));
        Assert.That(split.SeenTest.Pixels, Is.EqualTo(new byte[] { 10, 12 }));
        Assert.That(split.Unseen.Pixels, Is.EqualTo(new byte[] { 1, 4, 11 }));
        Assert.That(split.Unseen.Labels, Is.All.EqualTo(1));
    }
}
