using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model;

public class TrainingConfigTests
{
    [Test]
    public void DefaultsAreTheExercises()
    {
        var c = new TrainingConfig();
        c.Validate();
        Assert.That(c.Network.Widths, Is.EqualTo(new[] { 196, 200, 10 }));
        Assert.That(c.Network.ReluOnOutput, Is.True);
        Assert.That(c.Loss, Is.EqualTo(LossKind.ContrastiveBounded));
        Assert.That(c.Q, Is.EqualTo(5.0));
        Assert.That(c.Optimizer, Is.EqualTo(OptimizerKind.Adam));
        Assert.That((c.LearningRate, c.Beta1, c.Beta2, c.OptimizerEpsilon), Is.EqualTo((0.01, 0.9, 0.999, 1e-7)));
        Assert.That((c.Epochs, c.BatchPairs, c.PairsPerEpoch), Is.EqualTo((5, 64, 60_000)));
        Assert.That(c.StepsPerEpoch, Is.EqualTo(938));
        Assert.That((c.DistanceEpsilon, c.ValidationFraction), Is.EqualTo((1e-7, 0.1)));
        Assert.That(c.ClipNorm, Is.EqualTo(0.0));
        Assert.That(c.Schedule, Is.EqualTo(LearningRateSchedule.None));
    }

    static IEnumerable<TestCaseData> BadValues()
    {
        var d = new TrainingConfig();
        yield return new TestCaseData(d with { BatchPairs = 0 }, "--batch").SetName("batch 0");
        yield return new TestCaseData(d with { Epochs = -1 }, "--epochs").SetName("epochs -1");
        yield return new TestCaseData(d with { Epochs = 0 }, "--epochs").SetName("epochs 0");
        yield return new TestCaseData(d with { LearningRate = double.NaN }, "--lr").SetName("lr NaN");
        yield return new TestCaseData(d with { LearningRate = 0 }, "--lr").SetName("lr 0");
        yield return new TestCaseData(d with { LearningRate = -0.1 }, "--lr").SetName("lr negative");
        yield return new TestCaseData(d with { LearningRate = double.PositiveInfinity }, "--lr").SetName("lr infinite");
        yield return new TestCaseData(d with { Q = 0 }, "--q").SetName("Q 0");
        yield return new TestCaseData(d with { Q = -5 }, "--q").SetName("Q negative");
        yield return new TestCaseData(d with { Margin = 0 }, "--margin").SetName("margin 0");
        yield return new TestCaseData(d with { Loss = LossKind.Triplet, TripletMargin = 0 }, "--triplet-margin").SetName("triplet margin 0");
        yield return new TestCaseData(d with { TripletMargin = double.NaN }, "--triplet-margin").SetName("triplet margin NaN");
        yield return new TestCaseData(d with { Loss = LossKind.Triplet, Mining = (TripletMining)5 }, "--mining").SetName("unknown mining");
        yield return new TestCaseData(d with { Mining = TripletMining.BatchHard }, "--mining").SetName("mining without the triplet loss");
        yield return new TestCaseData(d with { Loss = LossKind.Triplet, Mining = TripletMining.BatchHard, MiningWarmupEpochs = -1 }, "--mining-warmup").SetName("mining warm-up -1");
        yield return new TestCaseData(d with { Dropout = 1 }, "--dropout").SetName("dropout 1");
        yield return new TestCaseData(d with { Dropout = -0.1 }, "--dropout").SetName("dropout negative");
        yield return new TestCaseData(d with { Dropout = double.NaN }, "--dropout").SetName("dropout NaN");
        yield return new TestCaseData(d with { Beta1 = 1 }, "--beta1").SetName("beta1 1");
        yield return new TestCaseData(d with { Beta2 = -0.1 }, "--beta2").SetName("beta2 negative");
        yield return new TestCaseData(d with { OptimizerEpsilon = 0 }, "--adam-eps").SetName("optimizer eps 0");
        yield return new TestCaseData(d with { Rho = 1.5 }, "--rho").SetName("rho 1.5");
        yield return new TestCaseData(d with { Momentum = 1 }, "--momentum").SetName("momentum 1");
        yield return new TestCaseData(d with { Optimizer = OptimizerKind.Sgd, Momentum = 0, Nesterov = true }, "--nesterov").SetName("nesterov without momentum");
        yield return new TestCaseData(d with { PairsPerEpoch = 0 }, "--pairs-per-epoch").SetName("pairs per epoch 0");
        yield return new TestCaseData(d with { DistanceEpsilon = 0 }, "--eps").SetName("distance eps 0");
        yield return new TestCaseData(d with { ValidationFraction = 0 }, "--validation").SetName("validation 0");
        yield return new TestCaseData(d with { ValidationFraction = 1 }, "--validation").SetName("validation 1");
        yield return new TestCaseData(d with { StepEpochs = 0 }, "--lr-step-epochs").SetName("step epochs 0");
        yield return new TestCaseData(d with { StepGamma = 0 }, "--lr-gamma").SetName("step gamma 0");
        yield return new TestCaseData(d with { CosineFinalFraction = 2 }, "--cosine-final").SetName("cosine final 2");
        yield return new TestCaseData(d with { ClipNorm = -1 }, "--clip-norm").SetName("clip norm -1");
        yield return new TestCaseData(d with { ClipNorm = double.NaN }, "--clip-norm").SetName("clip norm NaN");
        yield return new TestCaseData(d with { MonitorPairs = 5 }, "--monitor-pairs").SetName("monitor pairs 5");
        yield return new TestCaseData(d with { AugmentShift = -1 }, "--augment-shift").SetName("augment shift -1");
        yield return new TestCaseData(d with { AugmentRotation = 200 }, "--augment-rotation").SetName("augment rotation 200");
        yield return new TestCaseData(d with { AugmentMinScale = 0 }, "--augment-min-scale").SetName("augment min scale 0");
        yield return new TestCaseData(d with { AugmentMaxScale = 0.5 }, "--augment-max-scale").SetName("augment max below min");
        yield return new TestCaseData(d with { EarlyStoppingPatience = -1 }, "--patience").SetName("patience -1");
        yield return new TestCaseData(d with { Loss = (LossKind)7 }, "--loss").SetName("unknown loss");
        yield return new TestCaseData(d with { Optimizer = (OptimizerKind)7 }, "--optimizer").SetName("unknown optimizer");
    }

    [TestCaseSource(nameof(BadValues))]
    public void OutOfRangeValueNamesItsOption(TrainingConfig config, string option)
    {
        var e = Assert.Throws<ArgumentException>(config.Validate)!;
        Assert.That(e.Message, Does.StartWith(option + " must be"));
        Assert.That(e.ParamName, Is.EqualTo(option));
    }

    [TestCase(new[] { 0, 200, 10 }, "at least 1, got 0")]
    [TestCase(new[] { 196 }, "at least one layer")]
    [TestCase(new int[0], "at least one layer")]
    [TestCase(new[] { 196, 0, 10 }, "at least 1, got 0")]
    [TestCase(new[] { 196, 200, -3 }, "at least 1, got -3")]
    public void BadLayersNameTheOption(int[] widths, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new NetworkConfig(widths))!;
        Assert.That(e.Message, Does.StartWith("--layers"));
        Assert.That(e.Message, Does.Contain(expected));
    }

    [Test]
    public void StepScheduleDecaysPerEpochBlock()
    {
        var c = new TrainingConfig { Schedule = LearningRateSchedule.Step, StepEpochs = 2, StepGamma = 0.5, LearningRate = 0.1 };
        Assert.That(c.LearningRateAt(0, 0), Is.EqualTo(0.1));
        Assert.That(c.LearningRateAt(1, 2000), Is.EqualTo(0.1));
        Assert.That(c.LearningRateAt(2, 2000), Is.EqualTo(0.05).Within(1e-15));
        Assert.That(c.LearningRateAt(4, 4000), Is.EqualTo(0.025).Within(1e-15));
    }

    [Test]
    public void CosineScheduleRunsFromLrToTheFinalFraction()
    {
        var c = new TrainingConfig { Schedule = LearningRateSchedule.Cosine, LearningRate = 0.1, CosineFinalFraction = 0.1, Epochs = 2, PairsPerEpoch = 640 };
        long last = 2 * c.StepsPerEpoch - 1;
        Assert.That(c.LearningRateAt(0, 0), Is.EqualTo(0.1).Within(1e-15));
        Assert.That(c.LearningRateAt(1, last), Is.EqualTo(0.01).Within(1e-15));
        // Step 9 of 0..19: t = 9/19, lr = 0.1·(0.1 + 0.9·(1 + cos(π·9/19))/2).
        Assert.That(c.LearningRateAt(0, 9), Is.EqualTo(0.1 * (0.1 + 0.9 * (1 + Math.Cos(Math.PI * 9 / 19)) / 2)).Within(1e-15));
    }
}
