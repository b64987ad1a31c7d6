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
    public const string Usage = "usage: gpusiamese-perf serve-load [--model CKPT] [--requests N] [--out DIR] [--http-client] [--allocations]";

    public static int Run(string[] args, string defaultOutput)
    {
        string? model = null, output = defaultOutput;
        int requests = 20_000;
        bool httpClient = false, allocations = false;
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
                case "--http-client": httpClient = true; break;
                case "--allocations": allocations = true; break;
                default: throw new ArgumentException($"unknown option '{args[i]}' ({Usage})");
            }
        }
        return RunAsync(model, requests, output, httpClient, allocations).GetAwaiter().GetResult();
    }

    static async Task<int> RunAsync(string? modelPath, int requests, string outputDirectory, bool httpClient, bool allocations)
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
        using var matcher = new ImageMatcher(new SimdBackend(), checkpoint, gallery);
        await using var server = await WebServer.StartAsync(matcher, IPAddress.Loopback, 0, ServeLimits.Default, CancellationToken.None);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = server.Address };
        var bodies = new Bodies();
        var endpoint = new IPEndPoint(IPAddress.Loopback, server.Address.Port);
        Func<ILoadClient> client = httpClient ? () => new HttpClientLoad(http) : () => new RawHttpConnection(endpoint);

        var report = new Report();
        report.Line("# The page's API under load (gpusiamese-perf serve-load)");
        report.Line("");
        report.Line($"{DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}; server and clients " +
            $"in one process on {server.Address} ({matcher.Backend.Name}, {checkpoint.Network}, {gallery.Count} gallery images); " +
            "each compare is two 280x280 PNG drawings in a multipart form, preprocessed, embedded and identified. Clients: " +
            (httpClient ? "HttpClient (--http-client), one shared by all." : "a minimal HTTP/1.1 client per loop (one keep-alive connection, prebuilt request bytes), as wrk would be; --http-client uses HttpClient instead."));
        report.Line("");
        Stages(report, bodies, matcher);
        report.Line("CPU ms/request: the process's CPU time (server and clients together) over the run, divided by its requests; " +
            "on a shared machine the steadiest figure. 2 cores / (CPU ms/request) is the rate two idle cores would give.");
        report.Line("");
        report.Line("| clients | requests | compares/s | p50 ms | p99 ms | failed | CPU ms/request | gen0/1/2 GCs | allocated KiB/request | load average before |");
        report.Line("|---:|---:|---:|---:|---:|---:|---:|---|---|");
        // Warm-up: JIT (tiered compilation and its profile-guided rejits finish in the background over the first
        // seconds: 2,000 requests left the first measured run with twice the p99 of the same clients later),
        // connection pool, the first allocations. A page people use is warm.
        await Drive(client, bodies, clients: 16, requests: 10_000, badEvery: 0);
        using var sampler = allocations ? new AllocationSampler() : null;
        foreach (int clients in new[] { 1, 16, 64 })
        {
            int count = clients == 1 ? Math.Min(requests, 2_000) : requests;
            string load = LoadAverage();
            if (clients == 16) sampler?.Start();
            var r = await Drive(client, bodies, clients, count, badEvery: 0);
            sampler?.Stop();
            report.Line($"| {clients} | {count:N0} | {r.PerSecond:N0} | {r.P50:F2} | {r.P99:F2} | {r.Failed} | {r.CpuMsPerRequest:F3} | {r.Collections} | {r.AllocatedKiBPerRequest:F0} | {load} |");
            Console.Out.Flush();
        }
        report.Line("");
        if (sampler is not null)
        {
            report.Line("Allocations of the 16-client run by type, sampled (GCAllocationTick, one sample per ~100 KB; server and clients):");
            report.Line("");
            report.Table(["type", "sampled MiB", "share"], sampler.Top(15).Select(t =>
                new[] { t.Type, $"{t.Bytes / 1048576.0:F1}", $"{100.0 * t.Bytes / Math.Max(1, sampler.Total):F1} %" }));
            report.Line("");
        }
        string mixedLoad = LoadAverage();
        var mixed = await Drive(client, bodies, clients: 16, requests: requests, badEvery: 10);
        report.Line($"Mixed run, 16 clients, {requests:N0} requests of which every 10th is bad ({mixed.Bad:N0} bad): " +
            $"{mixed.Failed} failed (a good request not answered 200 or a bad one not answered its 4xx), " +
            $"{mixed.PerSecond:N0} requests/s, p50 {mixed.P50:F2} ms, p99 {mixed.P99:F2} ms, {mixed.CpuMsPerRequest:F3} CPU ms/request, {mixed.AllocatedKiBPerRequest:F0} KiB allocated per request; load average before: {mixedLoad}.");
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

    sealed record Outcome(double PerSecond, double P50, double P99, int Failed, int Bad, double CpuMsPerRequest, string Collections, double AllocatedKiBPerRequest);

    /// <summary>
    /// Where one compare's CPU goes, stage by stage on one thread (thread CPU time, best of 50 calls, so the machine's
    /// load hardly moves it): decoding one drawing, the whole preprocessing of one, the network and identification of
    /// the pair. The rest of a request (HTTP, form parsing, JSON) is the load table's CPU ms/request minus these.
    /// </summary>
    static void Stages(Report report, Bodies bodies, ImageMatcher matcher)
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
            Stage("network and identification of the pair (ImageMatcher.Compare)", () => matcher.Compare(a, b, WebServer.NearestShown)),
        };
        report.Line("Stages of one compare, on one thread (thread CPU time, best of 50):");
        report.Line("");
        report.Table(["stage", "CPU µs"], rows);
    }

    static string[] Stage(string name, Action op) => [name, Report.Us(ThreadCpuTime.BestUs(op, 50))];

    /// <summary><paramref name="clients"/> loops share <paramref name="requests"/> requests, each waiting for its answer before the next.</summary>
    static async Task<Outcome> Drive(Func<ILoadClient> newClient, Bodies bodies, int clients, int requests, int badEvery)
    {
        var latencies = new double[requests];
        int next = -1, failed = 0, bad = 0;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        int[] gcBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            using var client = newClient();
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                bool isBad = badEvery > 0 && i % badEvery == badEvery - 1;
                var (body, expected) = isBad ? bodies.Bad(i / badEvery) : (bodies.Good, HttpStatusCode.OK);
                if (isBad) Interlocked.Increment(ref bad);
                long start = Stopwatch.GetTimestamp();
                try
                {
                    if (await client.PostAsync("/api/compare", body) != expected) Interlocked.Increment(ref failed);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or System.Net.Sockets.SocketException or InvalidDataException)
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
            cpuMs / requests, collections, (GC.GetTotalAllocatedBytes() - allocatedBefore) / 1024.0 / requests);
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

        public Encoded Good => _good;

        public (Encoded, HttpStatusCode) Bad(int k) => (k % 5) switch
        {
            0 => (_text, HttpStatusCode.UnsupportedMediaType),
            1 => (_notAnImage, HttpStatusCode.UnprocessableEntity),
            2 => (_blank, HttpStatusCode.UnprocessableEntity),
            3 => (_truncated, HttpStatusCode.UnprocessableEntity),
            _ => (_tooLarge, HttpStatusCode.RequestEntityTooLarge),
        };

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

    /// <summary>A request body's bytes and its content type (with the multipart boundary).</summary>
    sealed record Encoded(byte[] Body, string ContentType)
    {
        /// <summary>As curl does for bodies over 1 MiB: ask before sending, so a body the server refuses is never sent.</summary>
        public bool ExpectContinue => Body.Length > 1 << 20;
    }

    /// <summary>One client loop's way of posting a body and getting the reply's status (the reply read to its end).</summary>
    interface ILoadClient : IDisposable
    {
        Task<HttpStatusCode> PostAsync(string path, Encoded body);
    }

    sealed class HttpClientLoad(HttpClient http) : ILoadClient
    {
        public async Task<HttpStatusCode> PostAsync(string path, Encoded body)
        {
            var content = new ByteArrayContent(body.Body);
            content.Headers.TryAddWithoutValidation("Content-Type", body.ContentType);
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            if (body.ExpectContinue) request.Headers.ExpectContinue = true;
            using var reply = await http.SendAsync(request);
            await reply.Content.ReadAsByteArrayAsync();
            return reply.StatusCode;
        }

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// A minimal HTTP/1.1 client on one keep-alive connection: the request's head and body written as prebuilt bytes,
    /// the reply's status line and headers parsed, its body (Content-Length or chunked) read and dropped. It reconnects
    /// after a reply that closes the connection, and honours Expect: 100-continue.
    /// </summary>
    sealed class RawHttpConnection(IPEndPoint endpoint) : ILoadClient
    {
        readonly byte[] _buffer = new byte[64 * 1024];
        readonly Dictionary<(string, Encoded), byte[]> _heads = [];
        System.Net.Sockets.Socket? _socket;
        int _start, _end;

        public async Task<HttpStatusCode> PostAsync(string path, Encoded body)
        {
            if (_socket is null)
            {
                _socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                await _socket.ConnectAsync(endpoint);
                _start = _end = 0;
            }
            if (!_heads.TryGetValue((path, body), out var head))
            {
                string text = $"POST {path} HTTP/1.1\r\nHost: {endpoint}\r\nContent-Type: {body.ContentType}\r\n" +
                    $"Content-Length: {body.Body.Length}\r\n{(body.ExpectContinue ? "Expect: 100-continue\r\n" : "")}\r\n";
                head = body.ExpectContinue ? System.Text.Encoding.ASCII.GetBytes(text) : [.. System.Text.Encoding.ASCII.GetBytes(text), .. body.Body];
                _heads[(path, body)] = head;
            }
            try
            {
                await SendAll(head);
                var (status, close) = await ReadReply();
                if (status == 100)
                {
                    await SendAll(body.Body);
                    (status, close) = await ReadReply();
                }
                if (close) Dispose();
                return (HttpStatusCode)status;
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        async Task SendAll(byte[] bytes)
        {
            for (int sent = 0; sent < bytes.Length;)
                sent += await _socket!.SendAsync(bytes.AsMemory(sent), System.Net.Sockets.SocketFlags.None);
        }

        /// <summary>The status and whether the server closes the connection after this reply; the body is consumed.</summary>
        async Task<(int Status, bool Close)> ReadReply()
        {
            string head = await ReadHead();
            var lines = head.Split("\r\n");
            int status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
            long length = 0;
            bool chunked = false, close = false;
            foreach (var line in lines.Skip(1))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string name = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value, CultureInfo.InvariantCulture);
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) close = value.Equals("close", StringComparison.OrdinalIgnoreCase);
            }
            if (status == 100) return (status, false);
            if (!chunked)
            {
                await Skip(length);
                return (status, close);
            }
            while (true)
            {
                long size = long.Parse(await ReadLine(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                await Skip(size);
                await ReadLine();
                if (size == 0) return (status, close);
            }
        }

        async Task<string> ReadHead()
        {
            var text = new System.Text.StringBuilder();
            string line;
            while ((line = await ReadLine()).Length > 0) text.Append(line).Append("\r\n");
            return text.ToString();
        }

        async Task<string> ReadLine()
        {
            var text = new System.Text.StringBuilder();
            while (true)
            {
                if (_start == _end) await Fill();
                int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                int stop = newline < 0 ? _end : newline;
                text.Append(System.Text.Encoding.ASCII.GetString(_buffer, _start, stop - _start));
                _start = newline < 0 ? _end : newline + 1;
                if (newline >= 0) return text.ToString().TrimEnd('\r');
            }
        }

        async Task Skip(long count)
        {
            while (count > 0)
            {
                if (_start == _end) await Fill();
                int take = (int)Math.Min(count, _end - _start);
                _start += take;
                count -= take;
            }
        }

        async Task Fill()
        {
            int read = await _socket!.ReceiveAsync(_buffer.AsMemory(), System.Net.Sockets.SocketFlags.None);
            if (read == 0) throw new IOException("the server closed the connection mid-reply");
            _start = 0;
            _end = read;
        }

        public void Dispose()
        {
            _socket?.Dispose();
            _socket = null;
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
