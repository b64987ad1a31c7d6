using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Reference;
using GpuSiamese.Model.Backends;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

/// <summary>
/// What only the SIMD backend has: the split of large operations over threads (ranges that do not divide
/// evenly, pieces of four-row tiles), its checks on buffers and indices, and its name.
/// </summary>
[TestFixture]
public class SimdBackendTests
{
    // 3 threads: no row count below divides into three equal multiples of the four-row tile.
    static SimdBackend Open(int maxBits) => new(threads: 3, maxVectorBits: maxBits);

    [Test]
    public void SplitForwardAndBackwardMatchReference([Values(512, 256, 128)] int bits, [Values(129, 130, 131, 1021)] int rows)
    {
        using var b = Open(bits);
        int inW = 197, outW = 203; // large enough to be split; neither width a multiple of a register
        Assert.That(2L * rows * inW * outW, Is.GreaterThanOrEqualTo(SimdBackend.ParallelFlops), "the shape must take the threaded path");
        var rng = new Random(rows);
        var x = Parity.Random(rng, rows * inW);
        var w = Parity.Random(rng, inW * outW, 0.2);
        var bias = Parity.Random(rng, outW, 0.5);
        var dy = Parity.Random(rng, rows * outW);
        var ey = new double[rows * outW];
        var edx = new double[rows * inW];
        var edw = new double[inW * outW];
        var edb = new double[outW];
        Dense.Forward(D(x), D(w), D(bias), ey, rows, inW, outW, Activation.Relu);
        Dense.BackwardData(D(dy), D(w), edx, rows, inW, outW);
        Dense.BackwardWeights(D(x), D(dy), edw, edb, rows, inW, outW);

        using var bx = Up(b, x); using var bw = Up(b, w); using var bb = Up(b, bias); using var bdy = Up(b, dy);
        using var y = b.Allocate<float>(rows * outW); using var dx = b.Allocate<float>(rows * inW);
        using var dw = b.Allocate<float>(inW * outW); using var db = b.Allocate<float>(outW);
        b.DenseForward(bx, bw, bb, y, rows, inW, outW, Activation.Relu);
        b.DenseBackwardData(bdy, bw, dx, rows, inW, outW);
        b.DenseBackwardWeights(bx, bdy, dw, db, rows, inW, outW);
        AssertClose(ey, Down(b, y), "Y");
        AssertClose(edx, Down(b, dx), "dX");
        AssertClose(edw, Down(b, dw), "dW", 1e-4, 1e-5);
        AssertClose(edb, Down(b, db), "db", 1e-4, 1e-5);
    }

    [Test]
    public void SplitElementwiseStepsMatchReference([Values(512, 128)] int bits)
    {
        using var b = Open(bits);
        int n = SimdBackend.ParallelElements * 2 + 13;
        var rng = new Random(9);
        var p = Parity.Random(rng, n); var g = Parity.Random(rng, n);
        var y = Parity.Random(rng, n); var dy = Parity.Random(rng, n);
        var ep = D(p); var m = new double[n]; var v = new double[n];
        Optimizers.Adam(ep, D(g), m, v, n, 0.01, 0.9, 0.999, 1e-7, 1, 1);
        var edy = D(dy);
        Dense.ActivationBackward(D(y), edy, n, Activation.Relu);

        using var bp = Up(b, p); using var bg = Up(b, g); using var bm = b.Allocate<float>(n); using var bv = b.Allocate<float>(n);
        b.AdamStep(bp, bg, bm, bv, n, 0.01f, 0.9f, 0.999f, 1e-7f, 1, 1f);
        using var by = Up(b, y); using var bdy = Up(b, dy);
        b.ActivationBackward(by, bdy, n, Activation.Relu);
        AssertClose(ep, Down(b, bp), "Adam p");
        AssertClose(m, Down(b, bm), "Adam m");
        AssertClose(edy, Down(b, bdy), "ReLU'", 0, 0);
    }

    [Test]
    public void OneThreadGivesTheSameBitsAsSeveral()
    {
        // Each output is computed by exactly one thread with the same tile, so the split changes no bit.
        int rows = 1021, inW = 196, outW = 200;
        var rng = new Random(3);
        var x = Parity.Random(rng, rows * inW); var w = Parity.Random(rng, inW * outW, 0.2); var bias = Parity.Random(rng, outW);
        float[] Run(SimdBackend b)
        {
            using var bx = Up(b, x); using var bw = Up(b, w); using var bb = Up(b, bias);
            using var y = b.Allocate<float>(rows * outW);
            b.DenseForward(bx, bw, bb, y, rows, inW, outW, Activation.Identity);
            return Down(b, y);
        }
        using var one = new SimdBackend(threads: 1);
        using var three = Open(512);
        Assert.That(Run(three), Is.EqualTo(Run(one)));
    }

    [Test]
    public void AWorkerLateMidPartMakesThePoolRunAloneForAWhile()
    {
        // The stall rule reads a clock this test moves, so the worker is late by construction, whatever the machine
        // does: each of the caller's parts takes 1 ms of it; the worker's part adds 100 ms only once the caller has
        // finished its own parts and started waiting (its second reading of the clock in the job).
        long now = 0, ms = System.Diagnostics.Stopwatch.Frequency / 1000;
        int callerReads = 0, caller = Environment.CurrentManagedThreadId;
        long Clock()
        {
            if (Environment.CurrentManagedThreadId == caller) Interlocked.Increment(ref callerReads);
            return Interlocked.Read(ref now);
        }
        using var pool = new SimdWorkerPool(2, Clock);
        using var workerClaimed = new ManualResetEventSlim();
        pool.Run(8, (_, worker) =>
        {
            if (worker != 0)
            {
                workerClaimed.Set();
                Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref callerReads) >= 2, TimeSpan.FromMinutes(5)), "the caller never waited");
                Interlocked.Add(ref now, 100 * ms);
            }
            else
            {
                Assert.That(workerClaimed.Wait(TimeSpan.FromMinutes(5)), "the worker never took a part");
                Interlocked.Add(ref now, ms);
            }
        });
        Assert.That(pool.Stalls, Is.EqualTo(1));
        var workers = new int[8];
        pool.Run(8, (part, worker) => workers[part] = worker + 1);
        Assert.That(workers, Is.All.EqualTo(1), "after a stall the caller runs every part itself");
    }

    [Test]
    public void AWorkerOnTimeKeepsThePoolSplitting()
    {
        // The same job with the worker's part as long as each of the caller's (1 ms of the test's clock): no stall.
        long now = 0, ms = System.Diagnostics.Stopwatch.Frequency / 1000;
        using var pool = new SimdWorkerPool(2, () => Interlocked.Read(ref now));
        using var workerClaimed = new ManualResetEventSlim();
        pool.Run(8, (_, worker) =>
        {
            if (worker != 0) workerClaimed.Set();
            else Assert.That(workerClaimed.Wait(TimeSpan.FromMinutes(5)), "the worker never took a part");
            Interlocked.Add(ref now, ms);
        });
        Assert.That(pool.Stalls, Is.EqualTo(0));
    }

    [Test]
    public void NameSaysWidthAndThreads()
    {
        using var b = new SimdBackend(threads: 2, maxVectorBits: 128);
        Assert.That(b.Name, Does.StartWith("simd (").And.EndWith(", 2 threads)"));
        using var one = new SimdBackend(threads: 1);
        Assert.That(one.Name, Does.EndWith(", 1 thread)"));
    }

    [Test]
    public void BadArgumentsAreRefusedWithTheirName()
    {
        using var b = Open(512);
        using var small = b.Allocate<float>(10);
        using var w = b.Allocate<float>(7 * 3);
        using var bias = b.Allocate<float>(3);
        using var y = b.Allocate<float>(2 * 3);
        var e = Assert.Throws<ArgumentException>(() => b.DenseForward(small, w, bias, y, 2, 7, 3, Activation.Relu));
        Assert.That(e!.ParamName, Is.EqualTo("x"));
        Assert.That(e.Message, Does.Contain("14"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimdBackend(threads: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimdBackend(maxVectorBits: 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => small.Slice(5, 6));
    }

    [Test]
    public void GatherRefusesAnIndexOutsideTheTable([Values(3, 4000)] int rows)
    {
        // 4000 rows of 196 take the threaded path: the error must read the same from a worker.
        using var b = Open(512);
        int width = 196, tableRows = 10;
        using var table = b.Allocate<float>(tableRows * width);
        var indices = new int[rows];
        indices[rows - 1] = tableRows;
        using var idx = Up(b, indices);
        using var dst = b.Allocate<float>(rows * width);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => b.GatherRows(table, idx, dst, rows, width));
        Assert.That(e!.Message, Does.Contain($"index {tableRows} at position {rows - 1}"));
    }

    [Test]
    public void ASliceOfADisposedBufferIsRefused()
    {
        using var b = Open(512);
        var parent = b.Allocate<float>(16);
        var slice = (SimdBuffer<float>)parent.Slice(4, 8);
        slice.Dispose(); // a slice's Dispose frees nothing
        Assert.That(((SimdBuffer<float>)parent).Span.Length, Is.EqualTo(16));
        parent.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = slice.Span.Length);
    }

    /// <summary>
    /// Back-to-back jobs whose part counts change from job to job (2, 9, 3, 16, …), on a clock that never advances so
    /// the pool never falls back to the caller alone. A worker still looping for a finished job must not take a part
    /// of the next one: every part of every job runs exactly once, and every Run returns. (Before the part count
    /// lived in the pool's state word, a worker that read the finished job's counter and then the next job's larger
    /// count ran a part twice and left the caller waiting forever; a training run on a loaded machine stalled so.)
    /// </summary>
    [Test]
    [CancelAfter(300_000)]
    public void PartCountsThatChangeBetweenJobsRunEachPartOnce()
    {
        using var pool = new SimdWorkerPool(3, () => 0);
        int[] counts = [2, 9, 3, 16, 2, 5];
        var runs = new int[16];
        for (int job = 0; job < 300_000; job++)
        {
            int parts = counts[job % counts.Length];
            Array.Clear(runs);
            pool.Run(parts, (part, worker) =>
            {
                Interlocked.Increment(ref runs[part]);
                if (worker != 0 && part % 2 == 0) Thread.Yield();
            });
            for (int p = 0; p < 16; p++)
                if (runs[p] != (p < parts ? 1 : 0))
                    Assert.Fail($"job {job} ({parts} parts): part {p} ran {runs[p]} times");
        }
        Assert.That(pool.Stalls, Is.EqualTo(0), "the clock stands still, so no wait counts as a stall");
    }

    [Test]
    public void AWorkerFailureReachesTheCaller()
    {
        using var pool = new SimdWorkerPool(3);
        var e = Assert.Throws<InvalidOperationException>(() => pool.Run(12, (part, _) => { if (part == 7) throw new InvalidOperationException("part 7"); }));
        Assert.That(e!.Message, Is.EqualTo("part 7"));
        for (int round = 0; round < 1000; round++)
        {
            int sum = 0;
            pool.Run(12, (part, _) => Interlocked.Add(ref sum, part + 1));
            Assert.That(sum, Is.EqualTo(78), "every part runs exactly once, and the pool keeps working after a failure");
        }
    }
}
