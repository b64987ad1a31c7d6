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

    static readonly Conv2dGeometry Conv = ConformanceRows.Conv;


    static void On(BackendCase c, Action<ConformanceOperands> test)
    {
        using var backend = BackendCases.Open(c);
        using var operands = new ConformanceOperands(backend);
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
    static readonly (string Name, Action<ConformanceOperands> Call)[] NegativeSizes = [.. ConformanceRows.All.SelectMany(r => r.NegativeSizes)];

    public static IEnumerable<TestCaseData> NegativeSizeCases() => Cross(NegativeSizes.Select(s => s.Name));

    [TestCaseSource(nameof(NegativeSizeCases))]
    public void A_negative_size_is_refused(BackendCase c, string operation) => On(c, o =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NegativeSizes.Single(s => s.Name == operation).Call(o)));

    /// <summary>Every operation with one buffer one element (or one row) short of its shape, and that buffer's name.</summary>
    static readonly (string Name, string Buffer, Action<ConformanceOperands> Call)[] ShortBuffers = [.. ConformanceRows.All.SelectMany(r => r.ShortBuffers)];

    public static IEnumerable<TestCaseData> ShortBufferCases() => Cross(ShortBuffers.Select(s => $"{s.Name} {s.Buffer}"));

    [TestCaseSource(nameof(ShortBufferCases))]
    public void A_buffer_too_short_for_the_shape_is_refused_by_name(BackendCase c, string operation) => On(c, o =>
    {
        var s = ShortBuffers.Single(s => $"{s.Name} {s.Buffer}" == operation);
        var e = Assert.Throws<ArgumentException>(() => s.Call(o));
        Assert.That(e!.ParamName, Is.EqualTo(s.Buffer));
    });

    /// <summary>Operations whose output is given storage of one of its inputs (whole or in part), and the output's name.</summary>
    static readonly (string Name, string Output, Action<ConformanceOperands> Call)[] Overlaps = [.. ConformanceRows.All.SelectMany(r => r.Overlaps)];

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
    static readonly (string Name, Func<ConformanceOperands, float, float[][]> Run)[] Writers = [.. ConformanceRows.All.SelectMany(r => r.Writers)];



    public static IEnumerable<TestCaseData> WriterCases() => Cross(Writers.Select(s => s.Name));

    [TestCaseSource(nameof(WriterCases))]
    public void Outputs_that_held_garbage_give_the_same_result_and_keep_what_lies_past_the_shape(BackendCase c, string operation) => On(c, o =>
    {
        var run = Writers.Single(s => s.Name == operation).Run;
        var clean = run(o, 0f);
        foreach (float garbage in new[] { float.NaN, 1e30f, -3f })
        {
            // The same seed, so the same inputs; every output 3 elements longer than its shape, filled with the garbage too.
            using var again = new ConformanceOperands(o.Backend) { Spare = 3 };
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
        (float.IsNaN(garbage) ? float.IsNaN(value) : value == garbage) || value == ConformanceRows.IntGarbage(garbage);

    /// <summary>The operations that work in place on their first n = 8 elements, set up with buffers 3 longer: the buffers and the call.</summary>
    static readonly (string Name, Func<ConformanceOperands, (DeviceBuffer<float>[] Buffers, Action Call)> Setup)[] InPlace = [.. ConformanceRows.All.SelectMany(r => r.InPlace)];

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
