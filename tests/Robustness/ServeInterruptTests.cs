using System.Net;
using System.Net.Sockets;
using GpuSiamese.Model;
using GpuSiamese.Tests.Model.Interchange;

namespace GpuSiamese.Tests.Robustness;

/// <summary>The real program serving: it answers once it says it serves, and Ctrl+C stops it cleanly (exit 0).</summary>
[TestFixture]
[NonParallelizable]
public sealed class ServeInterruptTests
{
    [Test]
    public async Task CtrlCStopsTheServerCleanly()
    {
        var folder = Directory.CreateTempSubdirectory("gpusiamese-serve-").FullName;
        try
        {
            string model = Path.Combine(folder, "model.ckpt");
            CheckpointFile.Save(model, OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 9));
            int port = FreePort();
            using var child = HostProcess.Start(folder, "serve", "--model", model, "--port", port.ToString(),
                "--gallery-per-digit", "0", "--accelerator", "simd");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            // Serving by construction: ask until it answers (the deadline only ends a test that failed).
            var deadline = DateTime.UtcNow.AddMinutes(3);
            HttpResponseMessage? reply = null;
            while (reply is null && !child.HasExited && DateTime.UtcNow < deadline)
            {
                try { reply = await http.GetAsync("/api/model"); }
                catch (HttpRequestException) { await Task.Delay(200); }
            }
            Assert.That(reply?.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the server answered");
            child.Interrupt();
            var (code, output, error) = child.WaitForExit(TimeSpan.FromMinutes(2));
            Assert.That(code, Is.EqualTo(0), error);
            // Only the program's acknowledgement of Ctrl+C: no error, no stack trace.
            Assert.That(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { GpuSiamese.Host.Cli.InterruptSeen }));
            Assert.That(output, Does.Contain($"http://127.0.0.1:{port}").And.Contain("stopped"));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
