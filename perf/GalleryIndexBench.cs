using System.Diagnostics;
using System.Globalization;
using GpuSiamese.Model.Gallery;

namespace GpuSiamese.Perf;

/// <summary>
/// gpusiamese-perf gallery-index: a gallery of synthetic embeddings with class structure (each identity a Gaussian centre
/// in the embedding space, each embedding the centre plus isotropic noise; probes are fresh noisy draws of a random
/// identity) enrolled into a <see cref="FolderGalleryStore"/>; reports enrol time, index build time, index size on disk and
/// in memory, identify latency p50/p99 at 1 and at 16 clients, and recall@1/@10 of the indexed search (after exact
/// re-ranking) against the exact scan. Not a test: figures depend on the machine and its load.
/// </summary>
public static class GalleryIndexBench
{
    public static int Run(string[] args, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        int embeddings = 1_000_000, identities = 10_000, dim = 64, queries = 1000, clients = 16, recallQueries = 200;
        double sigma = 0.5, probeSigma = 0.5;
        string folder = Path.Combine(Path.GetTempPath(), $"gpusiamese-gallery-bench-{Environment.ProcessId}");
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--embeddings": embeddings = int.Parse(Value(), c); break;
                case "--identities": identities = int.Parse(Value(), c); break;
                case "--dim": dim = int.Parse(Value(), c); break;
                case "--queries": queries = int.Parse(Value(), c); break;
                case "--recall-queries": recallQueries = int.Parse(Value(), c); break;
                case "--folder": folder = Value(); break;
                default: throw new ArgumentException($"gallery-index: unknown option '{args[i]}' (--embeddings N --identities N --dim N --queries N --recall-queries N --folder DIR)");
            }
        }
        if (embeddings % identities != 0) throw new ArgumentException("--embeddings must be a multiple of --identities");
        int per = embeddings / identities;
        void Say(string line) { output.WriteLine(line); output.Flush(); }
        Say(string.Create(c, $"gallery-index: {embeddings:N0} embeddings of width {dim}, {identities:N0} identities x {per}, synthetic: centre ~ N(0, I), embedding = centre + N(0, {sigma}² I); probes centre + N(0, {probeSigma}² I); load {LoadAverage()}"));

        var random = new Random(20261207);
        var centres = new float[identities][];
        for (int i = 0; i < identities; i++) centres[i] = Gaussian(random, dim, null, 1);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var model = new GalleryModel(new string('0', 64), dim, 1e-12, double.NaN, 0, "validation", "synthetic benchmark");
        var enrol = Stopwatch.StartNew();
        using (var store = FolderGalleryStore.Create(folder, model))
            for (int i = 0; i < identities; i++)
            {
                var batch = new EnrolledEmbedding[per];
                for (int j = 0; j < per; j++) batch[j] = new EnrolledEmbedding(Gaussian(random, dim, centres[i], sigma), "synthetic", DateTime.UtcNow);
                store.Add($"identity-{i:D6}", batch);
                if ((i + 1) % (identities / 10) == 0) Say(string.Create(c, $"  enrolled {i + 1:N0}/{identities:N0} identities, {enrol.Elapsed.TotalSeconds:F1} s"));
            }
        double enrolSeconds = enrol.Elapsed.TotalSeconds;
        long folderBytes = Directory.GetFiles(Path.Combine(folder, FolderGalleryStore.IdentitiesFolder)).Sum(f => new FileInfo(f).Length);
        Say(string.Create(c, $"enrol           {enrolSeconds:F1} s ({embeddings / enrolSeconds:N0} embeddings/s, one durable file per identity); identity files {folderBytes / 1048576.0:F0} MiB"));

        GC.Collect();
        var open = Stopwatch.StartNew();
        using var gallery = FolderGalleryStore.Open(folder);
        double openSeconds = open.Elapsed.TotalSeconds;
        GC.Collect();
        long before = Process.GetCurrentProcess().WorkingSet64;
        var build = Stopwatch.StartNew();
        gallery.Identify(centres[0], 1);
        double buildSeconds = build.Elapsed.TotalSeconds;
        long after = Process.GetCurrentProcess().WorkingSet64;
        long indexBytes = new FileInfo(Path.Combine(folder, "index.usearch")).Length;
        Say(string.Create(c, $"open            {openSeconds:F1} s (read and check every identity file); RSS {before / 1048576.0:F0} MiB with the embeddings"));
        Say(string.Create(c, $"index           {gallery.IndexOrigin} in {buildSeconds:F1} s; {indexBytes / 1048576.0:F0} MiB on disk, RSS +{(after - before) / 1048576.0:F0} MiB in memory"));

        var probes = Enumerable.Range(0, Math.Max(queries, recallQueries)).Select(_ => Gaussian(random, dim, centres[random.Next(identities)], probeSigma)).ToArray();
        for (int q = 0; q < 50; q++) gallery.Identify(probes[q], 10); // warm-up
        var one = Latencies(gallery, probes, queries, 1);
        Say(string.Create(c, $"identify x1     p50 {Percentile(one, 0.5):F2} ms  p99 {Percentile(one, 0.99):F2} ms ({queries} queries, top 10)"));
        var many = Latencies(gallery, probes, queries, clients);
        Say(string.Create(c, $"identify x{clients}    p50 {Percentile(many, 0.5):F2} ms  p99 {Percentile(many, 0.99):F2} ms ({queries} queries over {clients} clients)"));

        int hits1 = 0, hits10 = 0;
        var exactTime = new List<double>();
        for (int q = 0; q < recallQueries; q++)
        {
            var approximate = gallery.Identify(probes[q], 10);
            gallery.IndexThreshold = int.MaxValue; // the same embeddings, scanned exactly
            var t = Stopwatch.StartNew();
            var exact = gallery.Identify(probes[q], 10);
            exactTime.Add(t.Elapsed.TotalMilliseconds);
            gallery.IndexThreshold = 20_000;
            if (approximate[0].Name == exact[0].Name) hits1++;
            hits10 += exact.Select(h => h.Name).Intersect(approximate.Select(h => h.Name)).Count();
        }
        Say(string.Create(c, $"recall          @1 {hits1 / (double)recallQueries:F4}  @10 {hits10 / (10.0 * recallQueries):F4} ({recallQueries} queries against the exact scan, {Percentile([.. exactTime], 0.5):F0} ms each)"));
        Say(string.Create(c, $"peak memory     {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB (RSS); load {LoadAverage()}"));
        gallery.Dispose();
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    static double[] Latencies(FolderGalleryStore gallery, float[][] probes, int queries, int clients)
    {
        var times = new double[queries];
        int next = -1;
        var threads = Enumerable.Range(0, clients).Select(_ => new Thread(() =>
        {
            int q;
            while ((q = Interlocked.Increment(ref next)) < queries)
            {
                var t = Stopwatch.StartNew();
                gallery.Identify(probes[q], 10);
                times[q] = t.Elapsed.TotalMilliseconds;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return times;
    }

    static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    static float[] Gaussian(Random r, int dim, float[]? centre, double sigma)
    {
        var v = new float[dim];
        for (int k = 0; k < dim; k++)
            v[k] = (float)((centre?[k] ?? 0) + sigma * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
        return v;
    }

    static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
