using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Tests.Kernels;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>
/// The <see cref="IBackend"/> contract (<see cref="BackendContract"/>) held against every backend: the tests' reference
/// backend, simd at each vector width, ILGPU's CPU accelerator, OpenCL (PoCL) and CUDA where present (skipped with the
/// reason otherwise). One test per rule, each run on every backend: transfers, refused arguments (negative sizes,
/// short buffers, outputs overlapping inputs, Adam's t, dropout's p, the triplet kind as a pair loss) and overwriting
/// (outputs that held garbage give the same result). perf/gpu-check.sh runs this fixture on a GPU by its name.
/// </summary>
public class BackendConformanceTests
{
    public static IEnumerable<BackendCase> Backends() =>
        [new BackendCase("reference", () => new ReferenceBackend(), null), .. BackendCases.All()];

    static readonly Conv2dGeometry Conv = new(2, 5, 6, 3, 4, 3, ConvPadding.Same);

    /// <summary>Buffers of one backend for one test, disposed with it; inputs are drawn from a fixed seed.</summary>
    sealed class Operands(IBackend backend) : IDisposable
    {
        readonly List<IDisposable> _owned = [];
        readonly Random _rng = new(11);

        public IBackend Backend => backend;

        /// <summary>Elements past the shape that <see cref="Filled"/> and <see cref="IntsFilled"/> add to an output buffer.</summary>
        public int Spare { get; init; }

        public DeviceBuffer<float> Random(int n, double low = -1, double high = 1) =>
            Up(Enumerable.Range(0, n).Select(_ => (float)(low + (high - low) * _rng.NextDouble())).ToArray());

        public DeviceBuffer<float> Filled(int n, float value) => Up(Enumerable.Repeat(value, n + Spare).ToArray());

        public DeviceBuffer<int> IntsFilled(int n, int value) => Up(Enumerable.Repeat(value, n + Spare).ToArray());

        public DeviceBuffer<float> Zeros(int n) => Own(backend.Allocate<float>(n));

        public DeviceBuffer<T> Up<T>(T[] values) where T : unmanaged
        {
            var buffer = Own(backend.Allocate<T>(values.Length));
            backend.Upload<T>(buffer, values);
            return buffer;
        }

        public T[] Down<T>(DeviceBuffer<T> buffer) where T : unmanaged
        {
            var values = new T[buffer.Length];
            backend.Download<T>(buffer, values);
            return values;
        }

        TBuffer Own<TBuffer>(TBuffer buffer) where TBuffer : IDisposable
        {
            _owned.Add(buffer);
            return buffer;
        }

        public void Dispose()
        {
            foreach (var b in _owned) b.Dispose();
        }
    }

    static void On(BackendCase c, Action<Operands> test)
    {
        using var backend = BackendCases.Open(c);
        using var operands = new Operands(backend);
        test(operands);
    }

    // ---- transfers ----

    [TestCaseSource(nameof(Backends))]
    public void Upload_copies_the_spans_length_to_the_buffers_start(BackendCase c) => On(c, o =>
    {
        var buffer = o.Up(new[] { 9f, 9, 9, 9, 9 });
        o.Backend.Upload<float>(buffer, new[] { 1f, 2, 3 });
        Assert.That(o.Down(buffer), Is.EqualTo(new[] { 1f, 2, 3, 9, 9 }));
    });

    [TestCaseSource(nameof(Backends))]
    public void Upload_longer_than_the_buffer_is_refused(BackendCase c) => On(c, o =>
    {
        var buffer = o.Zeros(3);
        Assert.Throws<ArgumentException>(() => o.Backend.Upload<float>(buffer, new float[4]));
        Assert.Throws<ArgumentException>(() => o.Backend.Upload<float>(o.Zeros(8).Slice(2, 3), new float[4]), "a slice's own length counts");
    });

    [TestCaseSource(nameof(Backends))]
    public void Download_copies_the_spans_length_from_the_buffers_start(BackendCase c) => On(c, o =>
    {
        var buffer = o.Up(new[] { 1f, 2, 3, 4, 5 });
        var span = new[] { 7f, 7, 7 };
        o.Backend.Download<float>(buffer, span);
        Assert.That(span, Is.EqualTo(new[] { 1f, 2, 3 }));
        var slice = new[] { 7f, 7 };
        o.Backend.Download<float>(buffer.Slice(2, 3), slice);
        Assert.That(slice, Is.EqualTo(new[] { 3f, 4 }));
    });

    [TestCaseSource(nameof(Backends))]
    public void Download_longer_than_the_buffer_is_refused(BackendCase c) => On(c, o =>
    {
        var buffer = o.Up(new[] { 1f, 2, 3 });
        var span = new[] { 7f, 7, 7, 7 };
        Assert.Throws<ArgumentException>(() => o.Backend.Download<float>(buffer, span));
        Assert.That(span, Is.EqualTo(new[] { 7f, 7, 7, 7 }), "nothing is copied");
    });

    // ---- arguments ----

    [TestCaseSource(nameof(Backends))]
    public void Adam_refuses_a_step_count_below_one(BackendCase c) => On(c, o =>
    {
        foreach (int t in new[] { 0, -1 })
        {
            var p = o.Filled(4, 0.5f);
            Assert.Throws<ArgumentOutOfRangeException>(() =>
                o.Backend.AdamStep(p, o.Random(4), o.Zeros(4), o.Zeros(4), 4, 0.1f, 0.9f, 0.999f, 1e-7f, t, 1f), $"t = {t}");
            Assert.That(o.Down(p), Is.All.EqualTo(0.5f), "nothing is updated");
        }
    });

    [TestCaseSource(nameof(Backends))]
    public void Dropout_refuses_a_probability_outside_zero_to_one(BackendCase c) => On(c, o =>
    {
        foreach (float p in new[] { 1f, -0.1f, float.NaN })
            Assert.Throws<ArgumentOutOfRangeException>(() => o.Backend.Dropout(o.Random(8), 8, p, 1, 0), $"p = {p}");
    });

    [TestCaseSource(nameof(Backends))]
    public void A_dense_layer_or_convolution_fuses_only_relu_or_identity(BackendCase c) => On(c, o =>
    {
        foreach (var act in new[] { Activation.Sigmoid, Activation.Tanh })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => o.Backend.DenseForward(o.Random(8), o.Random(12), o.Random(3), o.Zeros(6), 2, 4, 3, act), $"dense {act}");
            Assert.Throws<ArgumentOutOfRangeException>(() => o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.WeightCount),
                o.Random(Conv.OutChannels), o.Zeros(Conv.Images * Conv.OutSize), Conv, act), $"conv {act}");
        }
    });

    [TestCaseSource(nameof(Backends))]
    public void The_triplet_loss_is_refused_as_a_pair_loss(BackendCase c) => On(c, o =>
        Assert.Throws<ArgumentOutOfRangeException>(() => o.Backend.PairLoss(LossKind.Triplet, 1f, o.Random(4, 0.1, 2),
            o.Up(new[] { 0, 1, 0, 1 }), o.Zeros(4), o.Zeros(4), 4)));

    /// <summary>Every operation with a size argument, called with one size negative.</summary>
    static readonly (string Name, Action<Operands> Call)[] NegativeSizes =
    [
        ("GatherRows rows", o => o.Backend.GatherRows(o.Random(20), o.Up(new int[4]), o.Zeros(20), -1, 5)),
        ("GatherRows width", o => o.Backend.GatherRows(o.Random(20), o.Up(new int[4]), o.Zeros(20), 4, -5)),
        ("GatherRowsFromBytes rows", o => o.Backend.GatherRowsFromBytes(o.Up(new byte[20]), o.Up(new int[4]), o.Zeros(20), -1, 5)),
        ("GatherRowsFromBytes width", o => o.Backend.GatherRowsFromBytes(o.Up(new byte[20]), o.Up(new int[4]), o.Zeros(20), 4, -5)),
        ("DenseForward rows", o => o.Backend.DenseForward(o.Random(20), o.Random(20), o.Random(5), o.Zeros(20), -1, 4, 5, Activation.Relu)),
        ("ActivationBackward n", o => o.Backend.ActivationBackward(o.Random(8), o.Random(8), -1, Activation.Relu)),
        ("DenseBackwardData outW", o => o.Backend.DenseBackwardData(o.Random(20), o.Random(20), o.Zeros(20), 2, 4, -1)),
        ("DenseBackwardWeights inW", o => o.Backend.DenseBackwardWeights(o.Random(20), o.Random(20), o.Zeros(20), o.Zeros(5), 2, -1, 5)),
        // A convolution's sizes travel in its geometry, which refuses a negative one before any backend sees it.
        ("Conv2dForward images", o => o.Backend.Conv2dForward(o.Random(8), o.Random(8), o.Random(4), o.Zeros(8),
            new Conv2dGeometry(-1, 5, 6, 3, 4, 3, ConvPadding.Same), Activation.Relu)),
        ("Conv2dBackwardData height", o => o.Backend.Conv2dBackwardData(o.Random(8), o.Random(8), o.Zeros(8),
            new Conv2dGeometry(1, -5, 6, 3, 4, 3, ConvPadding.Same))),
        ("Conv2dBackwardWeights channels", o => o.Backend.Conv2dBackwardWeights(o.Random(8), o.Random(8), o.Zeros(8), o.Zeros(4),
            new Conv2dGeometry(1, 5, 6, -3, 4, 3, ConvPadding.Same))),
        ("MaxPoolForward images", o => o.Backend.MaxPoolForward(o.Random(48), o.Zeros(12), o.Up(new int[12]), -1, 4, 4, 3)),
        ("MaxPoolBackward channels", o => o.Backend.MaxPoolBackward(o.Random(12), o.Up(new int[12]), o.Zeros(48), 1, 4, 4, -3)),
        ("PairDistanceForward pairs", o => o.Backend.PairDistanceForward(o.Random(20), o.Zeros(4), -2, 5, 1e-7f)),
        ("PairDistanceBackward dim", o => o.Backend.PairDistanceBackward(o.Random(20), o.Random(4), o.Random(4), o.Zeros(20), 2, -5, 1e-7f)),
        ("PairLoss count", o => o.Backend.PairLoss(LossKind.ContrastiveBounded, 5f, o.Random(4), o.Up(new int[4]), o.Zeros(4), o.Zeros(4), -1)),
        ("TripletLoss triplets", o => o.Backend.TripletLoss(o.Random(30), o.Zeros(2), o.Zeros(30), -2, 5, 1f, 1e-7f)),
        ("Dropout n", o => o.Backend.Dropout(o.Random(8), -8, 0.5f, 1, 0)),
        ("WeightDecay n", o => o.Backend.WeightDecay(o.Random(8), -8, 0.1f)),
        ("AdamStep n", o => o.Backend.AdamStep(o.Random(4), o.Random(4), o.Zeros(4), o.Zeros(4), -4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("RmsPropStep n", o => o.Backend.RmsPropStep(o.Random(4), o.Random(4), o.Zeros(4), -4, 0.1f, 0.9f, 1e-7f, 1f)),
        ("SgdStep n", o => o.Backend.SgdStep(o.Random(4), o.Random(4), o.Zeros(4), -4, 0.1f, 0.9f, false, 1f)),
        ("Sum n", o => o.Backend.Sum(o.Random(4), -4)),
        ("SumOfSquares n", o => o.Backend.SumOfSquares(o.Random(4), -4)),
        ("Add n", o => o.Backend.Add(o.Random(4), o.Random(4), o.Zeros(4), -4)),
        ("Accumulate n", o => o.Backend.Accumulate(o.Random(4), o.Random(4), -4)),
        ("Copy n", o => o.Backend.Copy(o.Random(4), o.Zeros(4), -4)),
        ("ActivationForward n", o => o.Backend.ActivationForward(o.Random(4), o.Zeros(4), -4, Activation.Sigmoid)),
    ];

    public static IEnumerable<TestCaseData> NegativeSizeCases() => Cross(NegativeSizes.Select(s => s.Name));

    [TestCaseSource(nameof(NegativeSizeCases))]
    public void A_negative_size_is_refused(BackendCase c, string operation) => On(c, o =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NegativeSizes.Single(s => s.Name == operation).Call(o)));

    /// <summary>Every operation with one buffer one element (or one row) short of its shape, and that buffer's name.</summary>
    static readonly (string Name, string Buffer, Action<Operands> Call)[] ShortBuffers =
    [
        ("GatherRows", "dst", o => o.Backend.GatherRows(o.Random(30), o.Up(new[] { 0, 1, 2 }), o.Zeros(14), 3, 5)),
        ("GatherRows", "indices", o => o.Backend.GatherRows(o.Random(30), o.Up(new[] { 0, 1 }), o.Zeros(15), 3, 5)),
        ("GatherRowsFromBytes", "dst", o => o.Backend.GatherRowsFromBytes(o.Up(new byte[30]), o.Up(new[] { 0, 1, 2 }), o.Zeros(14), 3, 5)),
        ("GatherRowsFromBytes", "indices", o => o.Backend.GatherRowsFromBytes(o.Up(new byte[30]), o.Up(new[] { 0, 1 }), o.Zeros(15), 3, 5)),
        ("DenseForward", "x", o => o.Backend.DenseForward(o.Random(7), o.Random(12), o.Random(3), o.Zeros(6), 2, 4, 3, Activation.Relu)),
        ("DenseForward", "b", o => o.Backend.DenseForward(o.Random(8), o.Random(12), o.Random(2), o.Zeros(6), 2, 4, 3, Activation.Relu)),
        ("DenseForward", "w", o => o.Backend.DenseForward(o.Random(8), o.Random(11), o.Random(3), o.Zeros(6), 2, 4, 3, Activation.Relu)),
        ("DenseForward", "y", o => o.Backend.DenseForward(o.Random(8), o.Random(12), o.Random(3), o.Zeros(5), 2, 4, 3, Activation.Relu)),
        ("ActivationBackward", "dy", o => o.Backend.ActivationBackward(o.Random(8), o.Random(7), 8, Activation.Relu)),
        ("ActivationBackward", "y", o => o.Backend.ActivationBackward(o.Random(7), o.Random(8), 8, Activation.Relu)),
        ("DenseBackwardData", "dy", o => o.Backend.DenseBackwardData(o.Random(5), o.Random(12), o.Zeros(8), 2, 4, 3)),
        ("DenseBackwardData", "w", o => o.Backend.DenseBackwardData(o.Random(6), o.Random(11), o.Zeros(8), 2, 4, 3)),
        ("DenseBackwardWeights", "x", o => o.Backend.DenseBackwardWeights(o.Random(7), o.Random(6), o.Zeros(12), o.Zeros(3), 2, 4, 3)),
        ("DenseBackwardWeights", "dy", o => o.Backend.DenseBackwardWeights(o.Random(8), o.Random(5), o.Zeros(12), o.Zeros(3), 2, 4, 3)),
        ("DenseBackwardWeights", "dw", o => o.Backend.DenseBackwardWeights(o.Random(8), o.Random(6), o.Zeros(11), o.Zeros(3), 2, 4, 3)),
        ("Conv2dForward", "x", o => o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize - 1), o.Random(Conv.WeightCount),
            o.Random(Conv.OutChannels), o.Zeros(Conv.Images * Conv.OutSize), Conv, Activation.Relu)),
        ("Conv2dForward", "w", o => o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.WeightCount - 1),
            o.Random(Conv.OutChannels), o.Zeros(Conv.Images * Conv.OutSize), Conv, Activation.Relu)),
        ("Conv2dForward", "b", o => o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.WeightCount),
            o.Random(Conv.OutChannels - 1), o.Zeros(Conv.Images * Conv.OutSize), Conv, Activation.Relu)),
        ("Conv2dBackwardData", "dy", o => o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize - 1), o.Random(Conv.WeightCount),
            o.Zeros(Conv.Images * Conv.InSize), Conv)),
        ("Conv2dBackwardData", "w", o => o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize), o.Random(Conv.WeightCount - 1),
            o.Zeros(Conv.Images * Conv.InSize), Conv)),
        ("Conv2dBackwardWeights", "x", o => o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize - 1),
            o.Random(Conv.Images * Conv.OutSize), o.Zeros(Conv.WeightCount), o.Zeros(Conv.OutChannels), Conv)),
        ("Conv2dBackwardWeights", "dy", o => o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize),
            o.Random(Conv.Images * Conv.OutSize - 1), o.Zeros(Conv.WeightCount), o.Zeros(Conv.OutChannels), Conv)),
        ("Conv2dBackwardWeights", "db", o => o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize),
            o.Random(Conv.Images * Conv.OutSize), o.Zeros(Conv.WeightCount), o.Zeros(Conv.OutChannels - 1), Conv)),
        ("MaxPoolForward", "x", o => o.Backend.MaxPoolForward(o.Random(47), o.Zeros(12), o.Up(new int[12]), 1, 4, 4, 3)),
        ("MaxPoolForward", "y", o => o.Backend.MaxPoolForward(o.Random(48), o.Zeros(11), o.Up(new int[12]), 1, 4, 4, 3)),
        ("MaxPoolBackward", "dy", o => o.Backend.MaxPoolBackward(o.Random(11), o.Up(new int[12]), o.Zeros(48), 1, 4, 4, 3)),
        ("MaxPoolBackward", "winner", o => o.Backend.MaxPoolBackward(o.Random(12), o.Up(new int[11]), o.Zeros(48), 1, 4, 4, 3)),
        ("PairDistanceForward", "emb", o => o.Backend.PairDistanceForward(o.Random(19), o.Zeros(2), 2, 5, 1e-7f)),
        ("PairDistanceBackward", "emb", o => o.Backend.PairDistanceBackward(o.Random(19), o.Random(2), o.Random(2), o.Zeros(20), 2, 5, 1e-7f)),
        ("PairDistanceBackward", "dist", o => o.Backend.PairDistanceBackward(o.Random(20), o.Random(1), o.Random(2), o.Zeros(20), 2, 5, 1e-7f)),
        ("PairDistanceBackward", "dDist", o => o.Backend.PairDistanceBackward(o.Random(20), o.Random(2), o.Random(1), o.Zeros(20), 2, 5, 1e-7f)),
        ("PairLoss", "dist", o => o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, o.Random(3), o.Up(new int[4]), o.Zeros(4), o.Zeros(4), 4)),
        ("PairLoss", "loss", o => o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, o.Random(4), o.Up(new int[4]), o.Zeros(3), o.Zeros(4), 4)),
        ("PairLoss", "dDist", o => o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, o.Random(4), o.Up(new int[4]), o.Zeros(4), o.Zeros(3), 4)),
        ("TripletLoss", "emb", o => o.Backend.TripletLoss(o.Random(29), o.Zeros(2), o.Zeros(30), 2, 5, 1f, 1e-7f)),
        ("TripletLoss", "dEmb", o => o.Backend.TripletLoss(o.Random(30), o.Zeros(2), o.Zeros(29), 2, 5, 1f, 1e-7f)),
        ("AdamStep", "p", o => o.Backend.AdamStep(o.Random(3), o.Random(4), o.Zeros(4), o.Zeros(4), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("AdamStep", "g", o => o.Backend.AdamStep(o.Random(4), o.Random(3), o.Zeros(4), o.Zeros(4), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("AdamStep", "m", o => o.Backend.AdamStep(o.Random(4), o.Random(4), o.Zeros(3), o.Zeros(4), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("RmsPropStep", "p", o => o.Backend.RmsPropStep(o.Random(3), o.Random(4), o.Zeros(4), 4, 0.1f, 0.9f, 1e-7f, 1f)),
        ("RmsPropStep", "g", o => o.Backend.RmsPropStep(o.Random(4), o.Random(3), o.Zeros(4), 4, 0.1f, 0.9f, 1e-7f, 1f)),
        ("SgdStep", "p", o => o.Backend.SgdStep(o.Random(3), o.Random(4), o.Zeros(4), 4, 0.1f, 0.9f, true, 1f)),
        ("SgdStep", "g", o => o.Backend.SgdStep(o.Random(4), o.Random(3), o.Zeros(4), 4, 0.1f, 0.9f, true, 1f)),
        ("DenseBackwardData", "dx", o => o.Backend.DenseBackwardData(o.Random(6), o.Random(12), o.Zeros(7), 2, 4, 3)),
        ("DenseBackwardWeights", "db", o => o.Backend.DenseBackwardWeights(o.Random(8), o.Random(6), o.Zeros(12), o.Zeros(2), 2, 4, 3)),
        ("Conv2dForward", "y", o => o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.WeightCount),
            o.Random(Conv.OutChannels), o.Zeros(Conv.Images * Conv.OutSize - 1), Conv, Activation.Relu)),
        ("Conv2dBackwardData", "dx", o => o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize), o.Random(Conv.WeightCount),
            o.Zeros(Conv.Images * Conv.InSize - 1), Conv)),
        ("Conv2dBackwardWeights", "dw", o => o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize),
            o.Random(Conv.Images * Conv.OutSize), o.Zeros(Conv.WeightCount - 1), o.Zeros(Conv.OutChannels), Conv)),
        ("MaxPoolForward", "winner", o => o.Backend.MaxPoolForward(o.Random(48), o.Zeros(12), o.Up(new int[11]), 1, 4, 4, 3)),
        ("MaxPoolBackward", "dx", o => o.Backend.MaxPoolBackward(o.Random(12), o.Up(new int[12]), o.Zeros(47), 1, 4, 4, 3)),
        ("PairDistanceForward", "dist", o => o.Backend.PairDistanceForward(o.Random(20), o.Zeros(1), 2, 5, 1e-7f)),
        ("PairDistanceBackward", "dEmb", o => o.Backend.PairDistanceBackward(o.Random(20), o.Random(2), o.Random(2), o.Zeros(19), 2, 5, 1e-7f)),
        ("PairLoss", "labels", o => o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, o.Random(4), o.Up(new int[3]), o.Zeros(4), o.Zeros(4), 4)),
        ("TripletLoss", "loss", o => o.Backend.TripletLoss(o.Random(30), o.Zeros(1), o.Zeros(30), 2, 5, 1f, 1e-7f)),
        ("Dropout", "x", o => o.Backend.Dropout(o.Random(7), 8, 0.5f, 1, 0)),
        ("WeightDecay", "p", o => o.Backend.WeightDecay(o.Random(7), 8, 0.1f)),
        ("AdamStep", "v", o => o.Backend.AdamStep(o.Random(4), o.Random(4), o.Zeros(4), o.Zeros(3), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("RmsPropStep", "s", o => o.Backend.RmsPropStep(o.Random(4), o.Random(4), o.Zeros(3), 4, 0.1f, 0.9f, 1e-7f, 1f)),
        ("SgdStep", "u", o => o.Backend.SgdStep(o.Random(4), o.Random(4), o.Zeros(3), 4, 0.1f, 0.9f, true, 1f)),
        ("Sum", "x", o => o.Backend.Sum(o.Random(3), 4)),
        ("SumOfSquares", "x", o => o.Backend.SumOfSquares(o.Random(3), 4)),
        ("Add", "a", o => o.Backend.Add(o.Random(3), o.Random(4), o.Zeros(4), 4)),
        ("Add", "b", o => o.Backend.Add(o.Random(4), o.Random(3), o.Zeros(4), 4)),
        ("Add", "y", o => o.Backend.Add(o.Random(4), o.Random(4), o.Zeros(3), 4)),
        ("Accumulate", "src", o => o.Backend.Accumulate(o.Random(3), o.Random(4), 4)),
        ("Accumulate", "dst", o => o.Backend.Accumulate(o.Random(4), o.Random(3), 4)),
        ("Copy", "src", o => o.Backend.Copy(o.Random(3), o.Zeros(4), 4)),
        ("Copy", "dst", o => o.Backend.Copy(o.Random(4), o.Zeros(3), 4)),
        ("ActivationForward", "x", o => o.Backend.ActivationForward(o.Random(3), o.Zeros(4), 4, Activation.Tanh)),
        ("ActivationForward", "y", o => o.Backend.ActivationForward(o.Random(4), o.Zeros(3), 4, Activation.Tanh)),
    ];

    public static IEnumerable<TestCaseData> ShortBufferCases() => Cross(ShortBuffers.Select(s => $"{s.Name} {s.Buffer}"));

    [TestCaseSource(nameof(ShortBufferCases))]
    public void A_buffer_too_short_for_the_shape_is_refused_by_name(BackendCase c, string operation) => On(c, o =>
    {
        var s = ShortBuffers.Single(s => $"{s.Name} {s.Buffer}" == operation);
        var e = Assert.Throws<ArgumentException>(() => s.Call(o));
        Assert.That(e!.ParamName, Is.EqualTo(s.Buffer));
    });

    /// <summary>Operations whose output is given storage of one of its inputs (whole or in part), and the output's name.</summary>
    static readonly (string Name, string Output, Action<Operands> Call)[] Overlaps =
    [
        ("GatherRows dst on table", "dst", o => { var t = o.Random(30); o.Backend.GatherRows(t, o.Up(new[] { 0, 1 }), t, 2, 5); }),
        ("DenseForward y on x", "y", o => { var x = o.Random(12); o.Backend.DenseForward(x, o.Random(12), o.Random(3), x, 2, 4, 3, Activation.Relu); }),
        ("DenseForward y on part of x", "y", o => { var x = o.Random(20); o.Backend.DenseForward(x.Slice(0, 8), o.Random(12), o.Random(3), x.Slice(7, 6), 2, 4, 3, Activation.Identity); }),
        ("ActivationBackward dy on y", "dy", o => { var y = o.Random(8); o.Backend.ActivationBackward(y, y, 8, Activation.Relu); }),
        ("DenseBackwardData dx on dy", "dx", o => { var d = o.Random(8); o.Backend.DenseBackwardData(d, o.Random(12), d, 2, 4, 3); }),
        ("DenseBackwardWeights dw on db", "dw", o => { var g = o.Zeros(15); o.Backend.DenseBackwardWeights(o.Random(8), o.Random(6), g.Slice(0, 12), g.Slice(11, 3), 2, 4, 3); }),
        ("Conv2dForward y on x", "y", o => { var x = o.Random(Conv.Images * Math.Max(Conv.InSize, Conv.OutSize));
            o.Backend.Conv2dForward(x, o.Random(Conv.WeightCount), o.Random(Conv.OutChannels), x, Conv, Activation.Relu); }),
        ("Conv2dBackwardData dx on w", "dx", o => { var w = o.Random(Math.Max(Conv.WeightCount, Conv.Images * Conv.InSize));
            o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize), w, w, Conv); }),
        ("Conv2dBackwardWeights dw on x", "dw", o => { var x = o.Random(Math.Max(Conv.WeightCount, Conv.Images * Conv.InSize));
            o.Backend.Conv2dBackwardWeights(x, o.Random(Conv.Images * Conv.OutSize), x, o.Zeros(Conv.OutChannels), Conv); }),
        ("Conv2dBackwardWeights db on dy", "db", o => { var dy = o.Random(Conv.Images * Conv.OutSize);
            o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize), dy, o.Zeros(Conv.WeightCount), dy, Conv); }),
        ("MaxPoolForward y on x", "y", o => { var x = o.Random(48); o.Backend.MaxPoolForward(x, x, o.Up(new int[12]), 1, 4, 4, 3); }),
        ("MaxPoolBackward dx on dy", "dx", o => { var d = o.Random(48); o.Backend.MaxPoolBackward(d, o.Up(new int[12]), d, 1, 4, 4, 3); }),
        ("GatherRows dst on part of table", "dst", o => { var t = o.Random(40); o.Backend.GatherRows(t.Slice(0, 30), o.Up(new[] { 0, 1 }), t.Slice(25, 10), 2, 5); }),
        ("PairDistanceForward dist on emb", "dist", o => { var e = o.Random(20); o.Backend.PairDistanceForward(e, e, 2, 5, 1e-7f); }),
        ("PairDistanceBackward dEmb on emb", "dEmb", o => { var e = o.Random(20); o.Backend.PairDistanceBackward(e, o.Random(2), o.Random(2), e, 2, 5, 1e-7f); }),
        ("PairLoss dDist on dist", "dDist", o => { var d = o.Random(4, 0.1, 2); o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, d, o.Up(new[] { 0, 1, 0, 1 }), o.Zeros(4), d, 4); }),
        ("TripletLoss loss on emb", "loss", o => { var e = o.Random(30); o.Backend.TripletLoss(e, e, o.Zeros(30), 2, 5, 1f, 1e-7f); }),
        ("AdamStep p on v", "p", o => { var v = o.Zeros(4); o.Backend.AdamStep(v, o.Random(4), o.Zeros(4), v, 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f); }),
        ("PairLoss loss on dist", "loss", o => { var d = o.Random(4, 0.1, 2); o.Backend.PairLoss(LossKind.ContrastiveBounded, 5f, d, o.Up(new[] { 0, 1, 0, 1 }), d, o.Zeros(4), 4); }),
        ("TripletLoss dEmb on emb", "dEmb", o => { var e = o.Random(30); o.Backend.TripletLoss(e, o.Zeros(2), e, 2, 5, 1f, 1e-7f); }),
        ("AdamStep m on g", "m", o => { var g = o.Random(4); o.Backend.AdamStep(o.Random(4), g, g, o.Zeros(4), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f); }),
        ("RmsPropStep p on g", "p", o => { var g = o.Random(4); o.Backend.RmsPropStep(g, g, o.Zeros(4), 4, 0.1f, 0.9f, 1e-7f, 1f); }),
        ("SgdStep u on g", "u", o => { var g = o.Random(4); o.Backend.SgdStep(o.Random(4), g, g, 4, 0.1f, 0.9f, false, 1f); }),
        ("Add y on a", "y", o => { var a = o.Random(5); o.Backend.Add(a, o.Random(5), a, 5); }),
        ("Add y on part of b", "y", o => { var b = o.Random(9); o.Backend.Add(o.Random(5), b.Slice(0, 5), b.Slice(4, 5), 5); }),
        ("Accumulate dst on src", "dst", o => { var x = o.Random(5); o.Backend.Accumulate(x, x, 5); }),
        ("Copy dst on part of src", "dst", o => { var x = o.Random(9); o.Backend.Copy(x.Slice(0, 5), x.Slice(3, 5), 5); }),
        ("ActivationForward y on x", "y", o => { var x = o.Random(5); o.Backend.ActivationForward(x, x, 5, Activation.Relu); }),
    ];

    public static IEnumerable<TestCaseData> OverlapCases() => Cross(Overlaps.Select(s => s.Name));

    [TestCaseSource(nameof(OverlapCases))]
    public void An_output_sharing_storage_with_an_input_is_refused(BackendCase c, string operation) => On(c, o =>
    {
        var s = Overlaps.Single(s => s.Name == operation);
        var e = Assert.Throws<ArgumentException>(() => s.Call(o));
        Assert.That(e!.ParamName, Is.EqualTo(s.Output));
    });

    [TestCaseSource(nameof(Backends))]
    public void Adjacent_slices_of_one_buffer_and_in_place_operations_are_accepted(BackendCase c) => On(c, o =>
    {
        // x, W, b and y as four neighbouring slices of one allocation: they share storage but no element.
        var all = o.Random(8 + 12 + 3 + 6);
        var (x, w, b, y) = (all.Slice(0, 8), all.Slice(8, 12), all.Slice(20, 3), all.Slice(23, 6));
        o.Backend.DenseForward(x, w, b, y, 2, 4, 3, Activation.Identity);
        var p = o.Random(8);
        o.Backend.Dropout(p, 8, 0.5f, 3, 1);
        o.Backend.WeightDecay(p, 8, 0.1f);
        var dy = o.Random(6);
        o.Backend.ActivationBackward(y, dy, 6, Activation.Relu);
        Assert.That(o.Down(y), Is.All.Not.NaN);
    });

    // ---- overwriting ----

    /// <summary>
    /// Every operation that writes outputs, at small awkward sizes: given the value its outputs are filled with before the
    /// call, it returns what they hold after (ints as floats). Inputs come from the operands' fixed seed.
    /// </summary>
    static readonly (string Name, Func<Operands, float, float[][]> Run)[] Writers =
    [
        ("GatherRows", (o, fill) =>
        {
            var dst = o.Filled(5 * 7, fill);
            o.Backend.GatherRows(o.Random(6 * 7), o.Up(new[] { 5, 0, 3, 3, 1 }), dst, 5, 7);
            return [o.Down(dst)];
        }),
        ("GatherRowsFromBytes", (o, fill) =>
        {
            var dst = o.Filled(5 * 7, fill);
            o.Backend.GatherRowsFromBytes(o.Up(Enumerable.Range(0, 6 * 7).Select(i => (byte)(i * 37 % 256)).ToArray()),
                o.Up(new[] { 5, 0, 3, 3, 1 }), dst, 5, 7);
            return [o.Down(dst)];
        }),
        ("DenseForward", (o, fill) =>
        {
            var y = o.Filled(5 * 3, fill);
            o.Backend.DenseForward(o.Random(5 * 7), o.Random(7 * 3), o.Random(3), y, 5, 7, 3, Activation.Relu);
            return [o.Down(y)];
        }),
        ("DenseBackwardData", (o, fill) =>
        {
            var dx = o.Filled(5 * 7, fill);
            o.Backend.DenseBackwardData(o.Random(5 * 3), o.Random(7 * 3), dx, 5, 7, 3);
            return [o.Down(dx)];
        }),
        ("DenseBackwardWeights", (o, fill) =>
        {
            var (dw, db) = (o.Filled(7 * 3, fill), o.Filled(3, fill));
            o.Backend.DenseBackwardWeights(o.Random(5 * 7), o.Random(5 * 3), dw, db, 5, 7, 3);
            return [o.Down(dw), o.Down(db)];
        }),
        ("Conv2dForward", (o, fill) =>
        {
            var y = o.Filled(Conv.Images * Conv.OutSize, fill);
            o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.WeightCount), o.Random(Conv.OutChannels), y, Conv, Activation.Relu);
            return [o.Down(y)];
        }),
        ("Conv2dBackwardData", (o, fill) =>
        {
            var dx = o.Filled(Conv.Images * Conv.InSize, fill);
            o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize), o.Random(Conv.WeightCount), dx, Conv);
            return [o.Down(dx)];
        }),
        ("Conv2dBackwardWeights", (o, fill) =>
        {
            var (dw, db) = (o.Filled(Conv.WeightCount, fill), o.Filled(Conv.OutChannels, fill));
            o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.Images * Conv.OutSize), dw, db, Conv);
            return [o.Down(dw), o.Down(db)];
        }),
        ("MaxPoolForward", (o, fill) =>
        {
            var (y, winner) = (o.Filled(2 * 2 * 3 * 3, fill), o.IntsFilled(2 * 2 * 3 * 3, IntGarbage(fill)));
            o.Backend.MaxPoolForward(o.Random(2 * 4 * 6 * 3), y, winner, 2, 4, 6, 3);
            return [o.Down(y), Array.ConvertAll(o.Down(winner), v => (float)v)];
        }),
        ("MaxPoolBackward", (o, fill) =>
        {
            var winner = o.Up(Enumerable.Range(0, 2 * 2 * 3 * 3).Select(i => i * 7 % 4).ToArray());
            var dx = o.Filled(2 * 4 * 6 * 3, fill);
            o.Backend.MaxPoolBackward(o.Random(2 * 2 * 3 * 3), winner, dx, 2, 4, 6, 3);
            return [o.Down(dx)];
        }),
        ("PairDistanceForward", (o, fill) =>
        {
            var dist = o.Filled(5, fill);
            o.Backend.PairDistanceForward(o.Random(2 * 5 * 7), dist, 5, 7, 1e-7f);
            return [o.Down(dist)];
        }),
        ("PairDistanceBackward", (o, fill) =>
        {
            var emb = o.Random(2 * 5 * 7);
            var dist = o.Zeros(5);
            o.Backend.PairDistanceForward(emb, dist, 5, 7, 1e-7f);
            var dEmb = o.Filled(2 * 5 * 7, fill);
            o.Backend.PairDistanceBackward(emb, dist, o.Random(5), dEmb, 5, 7, 1e-7f);
            return [o.Down(dEmb)];
        }),
        ("PairLoss bounded", (o, fill) => PairLossOutputs(o, fill, LossKind.ContrastiveBounded, 5f)),
        ("PairLoss margin", (o, fill) => PairLossOutputs(o, fill, LossKind.ContrastiveMargin, 1f)),
        ("TripletLoss", (o, fill) =>
        {
            var (loss, dEmb) = (o.Filled(4, fill), o.Filled(3 * 4 * 5, fill));
            o.Backend.TripletLoss(o.Random(3 * 4 * 5), loss, dEmb, 4, 5, 1f, 1e-7f);
            return [o.Down(loss), o.Down(dEmb)];
        }),
        ("Add", (o, fill) =>
        {
            var y = o.Filled(37, fill);
            o.Backend.Add(o.Random(37), o.Random(37), y, 37);
            return [o.Down(y)];
        }),
        ("Copy", (o, fill) =>
        {
            var dst = o.Filled(37, fill);
            o.Backend.Copy(o.Random(37), dst, 37);
            return [o.Down(dst)];
        }),
        ("ActivationForward sigmoid", (o, fill) =>
        {
            var y = o.Filled(37, fill);
            o.Backend.ActivationForward(o.Random(37, -6, 6), y, 37, Activation.Sigmoid);
            return [o.Down(y)];
        }),
        ("ActivationForward tanh", (o, fill) =>
        {
            var y = o.Filled(37, fill);
            o.Backend.ActivationForward(o.Random(37, -6, 6), y, 37, Activation.Tanh);
            return [o.Down(y)];
        }),
    ];

    static float[][] PairLossOutputs(Operands o, float fill, LossKind kind, float parameter)
    {
        var (loss, dDist) = (o.Filled(5, fill), o.Filled(5, fill));
        o.Backend.PairLoss(kind, parameter, o.Random(5, 0.1, 3), o.Up(new[] { 0, 1, 1, 0, 1 }), loss, dDist, 5);
        return [o.Down(loss), o.Down(dDist)];
    }

    /// <summary>The garbage an int output (a max-pool's winners) is filled with for a float fill.</summary>
    static int IntGarbage(float fill) => fill == 0 ? 0 : float.IsNaN(fill) ? -7 : (int)Math.Clamp(fill, -1e9f, 1e9f);

    public static IEnumerable<TestCaseData> WriterCases() => Cross(Writers.Select(s => s.Name));

    [TestCaseSource(nameof(WriterCases))]
    public void Outputs_that_held_garbage_give_the_same_result_and_keep_what_lies_past_the_shape(BackendCase c, string operation) => On(c, o =>
    {
        var run = Writers.Single(s => s.Name == operation).Run;
        var clean = run(o, 0f);
        foreach (float garbage in new[] { float.NaN, 1e30f, -3f })
        {
            // The same seed, so the same inputs; every output 3 elements longer than its shape, filled with the garbage too.
            using var again = new Operands(o.Backend) { Spare = 3 };
            var dirty = run(again, garbage);
            for (int k = 0; k < clean.Length; k++)
            {
                Assert.That(dirty[k], Has.Length.EqualTo(clean[k].Length + 3));
                for (int i = 0; i < clean[k].Length; i++)
                    Assert.That(dirty[k][i], Is.EqualTo(clean[k][i]).Within(1e-5 + 1e-5 * Math.Abs(clean[k][i])),
                        $"output {k}, element {i}, after filling with {garbage}");
                for (int i = clean[k].Length; i < dirty[k].Length; i++)
                    Assert.That(HeldBefore(dirty[k][i], garbage), $"output {k}, element {i} lies past the shape and was written ({dirty[k][i]}), after filling with {garbage}");
            }
        }
    });

    /// <summary>Whether <paramref name="value"/> is what an output filled with <paramref name="garbage"/> held: the float, or an int output's <see cref="IntGarbage"/>.</summary>
    static bool HeldBefore(float value, float garbage) =>
        (float.IsNaN(garbage) ? float.IsNaN(value) : value == garbage) || value == IntGarbage(garbage);

    /// <summary>The operations that work in place on their first n = 8 elements, set up with buffers 3 longer: the buffers and the call.</summary>
    static readonly (string Name, Func<Operands, (DeviceBuffer<float>[] Buffers, Action Call)> Setup)[] InPlace =
    [
        ("ActivationBackward", o => { var (y, dy) = (o.Random(11), o.Random(11)); return ([dy], () => o.Backend.ActivationBackward(y, dy, 8, Activation.Relu)); }),
        ("Dropout", o => { var x = o.Random(11); return ([x], () => o.Backend.Dropout(x, 8, 0.5f, 3, 1)); }),
        ("WeightDecay", o => { var p = o.Random(11); return ([p], () => o.Backend.WeightDecay(p, 8, 0.1f)); }),
        ("Accumulate", o => { var (src, dst) = (o.Random(11), o.Random(11)); return ([dst], () => o.Backend.Accumulate(src, dst, 8)); }),
        ("AdamStep", o => { var (p, g, m, v) = (o.Random(11), o.Random(11), o.Random(11), o.Random(11, 0.1, 1));
            return ([p, m, v], () => o.Backend.AdamStep(p, g, m, v, 8, 0.1f, 0.9f, 0.999f, 1e-7f, 2, 1f)); }),
        ("RmsPropStep", o => { var (p, g, sq) = (o.Random(11), o.Random(11), o.Random(11, 0.1, 1));
            return ([p, sq], () => o.Backend.RmsPropStep(p, g, sq, 8, 0.1f, 0.9f, 1e-7f, 1f)); }),
        ("SgdStep", o => { var (p, g, u) = (o.Random(11), o.Random(11), o.Random(11));
            return ([p, u], () => o.Backend.SgdStep(p, g, u, 8, 0.1f, 0.9f, true, 1f)); }),
    ];

    public static IEnumerable<TestCaseData> InPlaceCases() => Cross(InPlace.Select(s => s.Name));

    [TestCaseSource(nameof(InPlaceCases))]
    public void An_in_place_operation_changes_only_its_first_n_elements(BackendCase c, string operation) => On(c, o =>
    {
        var (buffers, call) = InPlace.Single(s => s.Name == operation).Setup(o);
        var before = buffers.Select(b => o.Down(b)).ToArray();
        call();
        for (int k = 0; k < buffers.Length; k++)
        {
            var after = o.Down(buffers[k]);
            Assert.That(after[..8], Is.Not.EqualTo(before[k][..8]), $"buffer {k}: the call changed nothing in its first 8 elements");
            Assert.That(after[8..], Is.EqualTo(before[k][8..]), $"buffer {k}: elements past n were written");
        }
    });

    [TestCaseSource(nameof(Backends))]
    public void A_reduction_reads_only_its_first_n_elements(BackendCase c) => On(c, o =>
    {
        var x = o.Up(new[] { 1f, 2, 3, 4, float.NaN, 1e30f });
        Assert.That(o.Backend.Sum(x, 4), Is.EqualTo(10f).Within(1e-6));
        Assert.That(o.Backend.SumOfSquares(x, 4), Is.EqualTo(30f).Within(1e-5));
        Assert.That(o.Backend.Sum(x, 0), Is.EqualTo(0f));
    });

    /// <summary>
    /// Every operation of <see cref="IBackend"/> has its rows here: a buffer too short (every operation takes buffers), and
    /// what it writes (outputs overwritten, or in place on its first n, or nothing: the reductions); an operation with
    /// sizes of its own also a negative one. A new operation fails this until the fixture covers it.
    /// </summary>
    [Test]
    public void Every_operation_of_IBackend_is_covered()
    {
        string[] plumbing = ["get_Name", "Allocate", "Upload", "Download", "Synchronize", "Dispose"];
        var operations = typeof(IBackend).GetMethods().Select(m => m.Name).Except(plumbing).Distinct().ToArray();
        static string Op(string row) => row.Split(' ')[0];
        var shortRows = ShortBuffers.Select(s => s.Name).ToHashSet();
        var negativeRows = NegativeSizes.Select(s => Op(s.Name)).ToHashSet();
        var writes = Writers.Select(s => Op(s.Name)).Concat(InPlace.Select(s => s.Name)).Concat(["Sum", "SumOfSquares"]).ToHashSet();
        Assert.Multiple(() =>
        {
            foreach (var op in operations)
            {
                Assert.That(shortRows, Does.Contain(op), $"{op} has no short-buffer row");
                Assert.That(negativeRows, Does.Contain(op), $"{op} has no negative-size row");
                Assert.That(writes, Does.Contain(op), $"{op} has no row for what it writes");
            }
        });
    }

    /// <summary>Each backend with each operation name.</summary>
    static IEnumerable<TestCaseData> Cross(IEnumerable<string> operations)
    {
        var names = operations.ToArray();
        foreach (var backend in Backends())
            foreach (var name in names)
                yield return new TestCaseData(backend, name).SetArgDisplayNames(backend.Name, name);
    }
}
