using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using GpuSiamese.Data;
using GpuSiamese.Host.Serve;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using SkiaSharp;

namespace GpuSiamese.Perf;

/// <summary>
/// gpusiamese-perf serve-load: the page's API under load, on 127.0.0.1 only. The server (the one <c>serve</c> runs, on
/// the simd backend, with a 10-per-digit MNIST gallery when MNIST is at hand) and the clients share this machine.
/// Compares per second and p50/p99 latency with 1, 16 and 64 concurrent clients, each run a bounded number of
/// requests; then a run of 20,000 requests at 16 clients of which every tenth is a bad one (wrong content type, not
/// an image, a blank drawing, a truncated image, a body over the limit), each expected to get its 4xx while every
/// good one gets a 200: a request answered otherwise, or not at all, counts as failed.
/// </summary>
public static class ServeLoad
{
    public const string Usage = "usage: gpusiamese-perf serve-load [--model CKPT] [--requests N] [--out DIR]";

    public static int Run(string[] args, string defaultOutput)
    {
        string? model = null, output = defaultOutput;
        int requests = 20_000;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--model": model = Value(); break;
                case "--requests":
                    string r = Value();
                    requests = int.TryParse(r, out int n) && n is >= 100 and <= 1_000_000 ? n : throw new ArgumentException($"--requests: '{r}' is not a count from 100 to 1,000,000");
                    break;
                case "--out": output = Value(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}' ({Usage})");
            }
        }
        return RunAsync(model, requests, output).GetAwaiter().GetResult();
    }

    static async Task<int> RunAsync(string? modelPath, int requests, string outputDirectory)
    {
        var checkpoint = modelPath is null ? RandomCheckpoint() : CheckpointFile.LoadForInference(modelPath, null);
        ImageSet gallery;
        try
        {
            var train = Mnist.Load(null, null).Train;
            gallery = train.Subset(Identification.DrawGallery(train, 10, new Rng(1)));
        }
        catch (MnistUnavailableException)
        {
            gallery = new ImageSet([], []);
        }
        using var matcher = new DigitMatcher(new SimdBackend(), checkpoint, gallery);
        await using var server = await WebServer.StartAsync(matcher, IPAddress.Loopback, 0, ServeLimits.Default, CancellationToken.None);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = server.Address };
        var bodies = new Bodies();

        var report = new Report();
        report.Line("# The page's API under load (gpusiamese-perf serve-load)");
        report.Line("");
        report.Line($"{DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; server and clients " +
            $"in one process on {server.Address} ({matcher.Backend.Name}, {checkpoint.Network}, {gallery.Count} gallery images); " +
            "each compare is two 280x280 PNG drawings in a multipart form, preprocessed, embedded and identified.");
        report.Line("");
        Stages(report, bodies, matcher);
        report.Line("CPU ms/request: the process's CPU time (server and clients together) over the run, divided by its requests; " +
            "on a shared machine the steadiest figure. 2 cores / (CPU ms/request) is the rate two idle cores would give.");
        report.Line("");
        report.Line("| clients | requests | compares/s | p50 ms | p99 ms | failed | CPU ms/request | gen0/1/2 GCs | load average before |");
        report.Line("|---:|---:|---:|---:|---:|---:|---:|---|---|");
        // Warm-up: JIT, connection pool, the first allocations.
        await Drive(http, bodies, clients: 16, requests: 2_000, badEvery: 0);
        foreach (int clients in new[] { 1, 16, 64 })
        {
            int count = clients == 1 ? Math.Min(requests, 2_000) : requests;
            string load = LoadAverage();
            var r = await Drive(http, bodies, clients, count, badEvery: 0);
            report.Line($"| {clients} | {count:N0} | {r.PerSecond:N0} | {r.P50:F2} | {r.P99:F2} | {r.Failed} | {r.CpuMsPerRequest:F3} | {r.Collections} | {load} |");
            Console.Out.Flush();
        }
        report.Line("");
        string mixedLoad = LoadAverage();
        var mixed = await Drive(http, bodies, clients: 16, requests: requests, badEvery: 10);
        report.Line($"Mixed run, 16 clients, {requests:N0} requests of which every 10th is bad ({mixed.Bad:N0} bad): " +
            $"{mixed.Failed} failed (a good request not answered 200 or a bad one not answered its 4xx), " +
            $"{mixed.PerSecond:N0} requests/s, p50 {mixed.P50:F2} ms, p99 {mixed.P99:F2} ms, {mixed.CpuMsPerRequest:F3} CPU ms/request; load average before: {mixedLoad}.");
        report.Line("");
        report.Line($"Load average (1, 5, 15 min) at the end: {LoadAverage()}. Goal (issue 14): at least 2,000 compares/s and p99 at most " +
            "20 ms at 16 clients with simd; 0 failed in the mixed run. The machine is shared: figures move with its load.");
        string text = report.ToString();
        Console.WriteLine(text);
        Directory.CreateDirectory(outputDirectory);
        string path = Path.Combine(outputDirectory, $"{DateTime.UtcNow:yyyy-MM-dd}-serve-load.md");
        File.WriteAllText(path, text);
        Console.WriteLine($"written: {path}");
        return mixed.Failed == 0 ? 0 : 1;
    }

    sealed record Outcome(double PerSecond, double P50, double P99, int Failed, int Bad, double CpuMsPerRequest, string Collections);

    /// <summary>
    /// Where one compare's CPU goes, stage by stage on one thread (thread CPU time, best of 50 calls, so the machine's
    /// load hardly moves it): decoding one drawing, the whole preprocessing of one, the network and identification of
    /// the pair. The rest of a request (HTTP, form parsing, JSON) is the load table's CPU ms/request minus these.
    /// </summary>
    static void Stages(Report report, Bodies bodies, DigitMatcher matcher)
    {
        if (!ThreadCpuTime.Available) return;
        var seven = bodies.Seven;
        var a = DigitImage.Read(seven, "seven").Image14;
        var b = DigitImage.Read(bodies.One, "one").Image14;
        foreach (var drawing in new[] { seven, bodies.One })
        {
            var (v1Image28, v1Image14) = PreprocessVersions.V1(drawing);
            var current = DigitImage.Read(drawing, "drawing");
            if (!v1Image28.AsSpan().SequenceEqual(current.Image28) || !v1Image14.AsSpan().SequenceEqual(current.Image14))
                throw new InvalidOperationException("preprocessing v1 and the current one give different inputs for the same drawing");
        }
        var rows = new List<string[]>
        {
            Stage("decode one 280x280 PNG to a fresh RGBA array (ImageFile.DecodeRgba)", () => ImageFile.DecodeRgba(seven, "seven")),
            Stage("decode one 280x280 PNG to grey in pooled buffers (ImageFile.DecodeGrey)", () => ImageFile.DecodeGrey(seven, "seven").Dispose()),
            Stage("preprocess one drawing, v1 (fresh arrays, scalar passes)", () => PreprocessVersions.V1(seven)),
            Stage("preprocess one drawing, current (DigitImage.Read)", () => DigitImage.Read(seven, "seven")),
            Stage("network and identification of the pair (DigitMatcher.Compare)", () => matcher.Compare(a, b, WebServer.NearestShown)),
        };
        report.Line("Stages of one compare, on one thread (thread CPU time, best of 50):");
        report.Line("");
        report.Table(["stage", "CPU µs"], rows);
    }

    static string[] Stage(string name, Action op) => [name, Report.Us(ThreadCpuTime.BestUs(op, 50))];

    /// <summary><paramref name="clients"/> loops share <paramref name="requests"/> requests, each waiting for its answer before the next.</summary>
    static async Task<Outcome> Drive(HttpClient http, Bodies bodies, int clients, int requests, int badEvery)
    {
        var latencies = new double[requests];
        int next = -1, failed = 0, bad = 0;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        int[] gcBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                bool isBad = badEvery > 0 && i % badEvery == badEvery - 1;
                var (content, expected) = isBad ? bodies.Bad(i / badEvery) : (bodies.Good(), HttpStatusCode.OK);
                if (isBad) Interlocked.Increment(ref bad);
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/compare") { Content = content };
                    // As curl does for bodies over 1 MiB: a body the server refuses is then never sent.
                    if (content.Headers.ContentLength > 1 << 20) request.Headers.ExpectContinue = true;
                    using var reply = await http.SendAsync(request);
                    await reply.Content.ReadAsByteArrayAsync();
                    if (reply.StatusCode != expected) Interlocked.Increment(ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        string collections = string.Join("/", Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - gcBefore[g]));
        Array.Sort(latencies);
        return new Outcome(requests / seconds, latencies[requests / 2], latencies[Math.Min(requests - 1, (int)(requests * 0.99))], failed, bad,
            cpuMs / requests, collections);
    }

    /// <summary>
    /// The request bodies: a drawn "7" and "1" as the page sends them, and five kinds of bad request. Each body is
    /// encoded once and sent as those bytes: the clients share the server's two cores, so they should cost little.
    /// </summary>
    sealed class Bodies
    {
        readonly byte[] _seven = Drawing((60, 60, 210, 60), (210, 60, 110, 240));
        readonly byte[] _one = Drawing((140, 40, 135, 240));
        readonly Encoded _good, _text, _notAnImage, _blank, _truncated, _tooLarge;

        public Bodies()
        {
            _good = Form(_seven, _one);
            _text = Encode(new StringContent("hello", System.Text.Encoding.UTF8, "text/plain"));
            _notAnImage = Form(_seven, "not an image"u8.ToArray());
            _blank = Form(Drawing(), _one);
            _truncated = Form(_seven, _one[..(_one.Length / 2)]);
            _tooLarge = Form(new byte[5 << 20], _one);
        }

        public byte[] Seven => _seven;

        public byte[] One => _one;

        public HttpContent Good() => _good.Content();

        public (HttpContent, HttpStatusCode) Bad(int k) => (k % 5) switch
        {
            0 => (_text.Content(), HttpStatusCode.UnsupportedMediaType),
            1 => (_notAnImage.Content(), HttpStatusCode.UnprocessableEntity),
            2 => (_blank.Content(), HttpStatusCode.UnprocessableEntity),
            3 => (_truncated.Content(), HttpStatusCode.UnprocessableEntity),
            _ => (_tooLarge.Content(), HttpStatusCode.RequestEntityTooLarge),
        };

        /// <summary>A body's bytes and its content type (with the multipart boundary).</summary>
        sealed record Encoded(byte[] Body, string ContentType)
        {
            public HttpContent Content()
            {
                var content = new ByteArrayContent(Body);
                content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                return content;
            }
        }

        static Encoded Encode(HttpContent content)
        {
            using (content)
                return new Encoded(content.ReadAsByteArrayAsync().GetAwaiter().GetResult(), content.Headers.ContentType!.ToString());
        }

        static Encoded Form(byte[] a, byte[] b)
        {
            var form = new MultipartFormDataContent();
            foreach (var (name, bytes) in new[] { ("a", a), ("b", b) })
            {
                var part = new ByteArrayContent(bytes);
                part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                form.Add(part, name, name + ".png");
            }
            return Encode(form);
        }

        /// <summary>White strokes 20 px wide on a dark 280x280 pad, as the page draws them.</summary>
        static byte[] Drawing(params (float X0, float Y0, float X1, float Y1)[] strokes)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(280, 280, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(new SKColor(0x14, 0x13, 0x1b));
                using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 20, StrokeCap = SKStrokeCap.Round };
                foreach (var s in strokes) canvas.DrawLine(s.X0, s.Y0, s.X1, s.Y1, paint);
            }
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }
    }

    /// <summary>The exercise's network with seeded weights: the arithmetic per request is what a trained one does.</summary>
    static Checkpoint RandomCheckpoint()
    {
        var network = NetworkConfig.Default;
        return new Checkpoint(network, new TrainingConfig { Network = network }, Network.Initialize(network, new Rng(14)), 1.0, null);
    }

    static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(", ", parts.Take(3));
        }
        catch (IOException) { return "unknown"; }
    }
}
