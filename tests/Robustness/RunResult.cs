using System.Text.Json.Nodes;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// What a finished run folder holds that must be reproducible: the checkpoint's parameters and optimizer state,
/// and metrics.json without what a clock measures (timings, speeds, memory, creation time) or where the run
/// came from (--resume).
/// </summary>
public sealed record RunResult(float[] Parameters, float[][] OptimizerState, string Metrics)
{
    public static RunResult Read(string runFolder)
    {
        var checkpoint = CheckpointFile.Load(Path.Combine(runFolder, "model.ckpt"));
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "metrics.json")))!.AsObject();
        foreach (string clocked in new[] { "created_utc", "timings", "peak_rss_bytes" }) metrics.Remove(clocked);
        metrics["configuration"]!.AsObject().Remove("resume");
        foreach (var epoch in metrics["epochs"]!.AsArray())
        {
            epoch!.AsObject().Remove("seconds");
            epoch.AsObject().Remove("pairs_per_second");
        }
        return new RunResult(checkpoint.Parameters, checkpoint.Resume?.OptimizerState ?? [], metrics.ToJsonString());
    }

    /// <summary>Asserts bit-identical parameters and optimizer state and identical metrics.</summary>
    public void AssertIdenticalTo(RunResult other, string what)
    {
        Assert.That(Bits(Parameters), Is.EqualTo(Bits(other.Parameters)), $"{what}: parameters");
        Assert.That(OptimizerState.Select(Bits), Is.EqualTo(other.OptimizerState.Select(Bits)), $"{what}: optimizer state");
        Assert.That(Metrics, Is.EqualTo(other.Metrics), $"{what}: metrics.json");
    }

    static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
