using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GpuSiamese.Tests.Robustness;

namespace GpuSiamese.Tests.Perf;

/// <summary>
/// What can be checked of perf/gpu-check.sh without a GPU: that it stops at once, with one error line and before
/// building or writing anything, when there is no NVIDIA GPU; and that its table reads a real run folder's
/// metrics.json and the CPU profiler's report (perf/results/2026-11-23-cpu.md).
/// </summary>
public class GpuCheckScriptTests : SmallRunFixture
{
    static readonly string Root = FindRoot();
    static string Script => Path.Combine(Root, "perf", "gpu-check.sh");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "perf", "gpu-check.sh"))) return dir.FullName;
        throw new FileNotFoundException("perf/gpu-check.sh above " + AppContext.BaseDirectory);
    }

    static (int Code, string Out, string Err) Bash(IDictionary<string, string>? env, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        start.ArgumentList.Add(Script);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    [Test]
    public void WithoutAnNvidiaGpuItStopsWithOneErrorLineBeforeBuilding()
    {
        string outDir = Dir.File("gpu-check-out");
        var (code, stdout, stderr) = Bash(new Dictionary<string, string> { ["NVIDIA_SMI"] = "false" }, "--out", outDir);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("error: no NVIDIA GPU found").And.Contain("needs an NVIDIA GPU and its driver"));
        Assert.That(stdout, Is.Empty, "nothing built or run");
        Assert.That(Directory.Exists(outDir), Is.False, "no output folder");
    }

    [Test]
    public void UnknownArgumentsAndAMissingReportAreOneErrorLine()
    {
        var (code, _, stderr) = Bash(null, "--fast");
        Assert.That((code, stderr), Is.EqualTo((2, "error: unknown argument '--fast' (usage: perf/gpu-check.sh [--out DIR] | --table PROFILE.md [LABEL=metrics.json ...])\n")));
        (code, _, stderr) = Bash(null, "--table", Dir.File("none.md"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith("error: --table: profiler report").And.Contain("none.md"));
    }

    [Test]
    public void TheTableReadsARunFolderAndTheCpuProfilersReport()
    {
        string runs = Dir.File("runs-table");
        var run = SmallRun.Train(SmallRun.TrainArgs(Data, runs, "simd", epochs: 2, pairsPerEpoch: 96));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        string folder = SmallRun.OnlyRunFolder(runs);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")))!;
        double auc = metrics["test"]!["auc"]!.GetValue<double>();
        double total = metrics["timings"]!["total_seconds"]!.GetValue<double>();
        double training = metrics["timings"]!["training_seconds"]!.GetValue<double>();
        int pairs = metrics["epochs"]!.AsArray().Count * 96;

        var (code, table, stderr) = Bash(null, "--table", Path.Combine(Root, "perf", "results", "2026-11-23-cpu.md"),
            $"small run={folder}", $"missing run={Dir.File("no-such-run")}");
        Assert.That((code, stderr), Is.EqualTo((0, "")));
        var lines = table.TrimEnd('\n').Split('\n');
        TestContext.Out.WriteLine(table);
        Assert.That(lines[0], Is.EqualTo("| what | AUC | seconds | pairs/s | GFLOP/s (or GB/s) |"));
        var c = CultureInfo.InvariantCulture;
        Assert.That(lines[2], Is.EqualTo(string.Create(c, $"| small run | {auc:F4} | {total:F1} | {pairs / training:F0} | |")));
        Assert.That(lines[3], Is.EqualTo("| missing run | failed | | | |"));
        Assert.That(lines, Does.Contain("| dense forward 196→200 ReLU, 128 rows | | 0.00235 | | 4.3 |"));
        Assert.That(lines, Does.Contain("| dense backward data 196→200, 1024 rows | | 0.0264 | | 3.0 |"));
        Assert.That(lines, Does.Contain("| Adam (bias-corrected), 41,410 params | | 0.000452 | | (2.6 GB/s) |"));
        Assert.That(lines, Does.Contain("| profiler: the exercise job through Trainer | 0.9885 | 23.01 | 13,489 | |"));
        Assert.That(lines, Does.Contain("| profiler: one training step (median) | | 0.00469 | 12,214 | 4.6 |"));
        Assert.That(lines, Has.Length.EqualTo(4 + 29 + 2), "header, two runs, 29 operations, the profiler's job and step");
    }

    [Test]
    public void TheTableHasTheResidualOperationsOfTheProfilersReport()
    {
        string profile = Dir.File("residual-profile.md");
        File.WriteAllText(profile, string.Join('\n',
            "## Residual operations at ResNet-18 v2's shapes (3x64x64 input, 64 images)", "",
            "| operation | median µs | rate | first call µs |", "|---|--:|--:|--:|",
            "| stem 3x64x64→64 7x7/2 same forward | 7035 | 175 GFLOP/s | 14742 |",
            "| batch norm backward 64x16x16 | 318.9 | 65.8 GB/s | 7842 |", "", "## Training step layer by layer", "") + "\n");
        var (code, table, stderr) = Bash(null, "--table", profile);
        Assert.That((code, stderr), Is.EqualTo((0, "")));
        var lines = table.TrimEnd('\n').Split('\n');
        Assert.That(lines[2..], Is.EqualTo(new[]
        {
            "| stem 3x64x64→64 7x7/2 same forward | | 0.00703 | | 175 |",
            "| batch norm backward 64x16x16 | | 0.000319 | | (65.8 GB/s) |",
        }));
    }
}
