using System.Security.Cryptography;
using System.Text;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// Checkpoint files of the older formats, made from a current one: versions 1 and 2 wrote the training configuration
/// as fields in a fixed order (version 1 without the last four) after the network's dense widths; version 3 writes the
/// network's spelling, then (key, value) pairs and the seed; version 4 adds the preprocessing and class names after them;
/// version 5 adds the network's state after the parameters (and the best epoch's state after its parameters), which
/// every older version lacks.
/// </summary>
static class LegacyCheckpoint
{
    const int Header = 20, Hash = 32;

    /// <summary>A current file of <paramref name="c"/> with its training block rewritten as <paramref name="version"/> wrote it.</summary>
    public static byte[] Rewrite(byte[] current, Checkpoint c, int version)
    {
        var payload = current.AsSpan(Header, current.Length - Header - Hash).ToArray();
        using var r = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        r.ReadString(); r.ReadBoolean(); // version 3's network: its spelling and the output-ReLU flag
        int count = r.ReadInt32();
        for (int i = 0; i < 2 * count; i++) r.ReadString();
        r.ReadUInt64();
        int trainingEnd = (int)r.BaseStream.Position;
        // Version 4's preprocessing block: channels, height, width, pool, fit, inversion, then the class names.
        r.ReadInt32(); r.ReadInt32(); r.ReadInt32(); r.ReadInt32(); r.ReadString(); r.ReadString();
        int names = r.ReadInt32();
        for (int i = 0; i < names; i++) r.ReadString();
        int preprocessingEnd = (int)r.BaseStream.Position;
        var tail = WithoutState(payload, preprocessingEnd);
        var output = new MemoryStream();
        if (version == 4)
        {
            output.Write(payload, 0, preprocessingEnd);
            output.Write(tail);
            return WithPayload(current, version, output.ToArray());
        }
        if (version == 3)
        {
            output.Write(payload, 0, trainingEnd);
            output.Write(tail);
            return WithPayload(current, version, output.ToArray());
        }
        using (var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            // Versions 1 and 2 wrote the network as its dense widths (count, widths) and the output-ReLU flag.
            w.Write(c.Network.Widths.Count);
            foreach (int width in c.Network.Widths) w.Write(width);
            w.Write(c.Network.ReluOnOutput);
            var t = c.Training;
            w.Write((int)t.Loss); w.Write(t.Q); w.Write(t.Margin);
            w.Write((int)t.Optimizer); w.Write(t.LearningRate); w.Write(t.Beta1); w.Write(t.Beta2);
            w.Write(t.OptimizerEpsilon); w.Write(t.Rho); w.Write(t.Momentum); w.Write(t.Nesterov);
            w.Write(t.Epochs); w.Write(t.BatchPairs); w.Write(t.PairsPerEpoch); w.Write(t.DistanceEpsilon);
            w.Write(t.ValidationFraction); w.Write(t.Seed); w.Write((int)t.Schedule); w.Write(t.StepEpochs);
            w.Write(t.StepGamma); w.Write(t.CosineFinalFraction); w.Write(t.ClipNorm); w.Write(t.MonitorPairs);
            w.Write(t.Augment); w.Write(t.AugmentShift); w.Write(t.AugmentRotation); w.Write(t.AugmentMinScale);
            w.Write(t.AugmentMaxScale); w.Write(t.EarlyStoppingPatience);
            if (version >= 2) { w.Write(t.TripletMargin); w.Write((int)t.Mining); w.Write(t.MiningWarmupEpochs); w.Write(t.Dropout); }
        }
        output.Write(tail);
        return WithPayload(current, version, output.ToArray());
    }

    /// <summary>The payload from <paramref name="start"/> (the threshold) to its end, without version 5's two state tensors.</summary>
    static byte[] WithoutState(byte[] payload, int start)
    {
        using var r = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        var output = new MemoryStream();
        int at = start;
        void Keep(int end) { output.Write(payload, at, end - at); at = end; }
        void SkipTensor() { r.BaseStream.Position = at; at += 4 + 4 * r.ReadInt32(); }
        // A count, then that many elements of the given size (the count is read before the position moves past them).
        void Skip(long size) { long n = r.ReadInt32(); r.BaseStream.Position += size * n; }
        r.BaseStream.Position = start + 8;          // the threshold
        Skip(4L); // the parameters
        Keep((int)r.BaseStream.Position);
        SkipTensor();                               // the state
        r.BaseStream.Position = at;
        if (!r.ReadBoolean())
        {
            Keep(payload.Length);
            return output.ToArray();
        }
        int tensors = r.ReadInt32();
        for (int i = 0; i < tensors; i++) Skip(4L);
        r.BaseStream.Position += 3 * 8;             // optimizer steps, step, epoch loss sum
        Skip(1);     // the sampler's state
        Skip(8L); // the generator's state
        Skip(76L); // the epoch history
        if (r.ReadBoolean()) Skip(4L); // the best epoch's parameters
        Keep((int)r.BaseStream.Position);
        if (at < payload.Length) SkipTensor();      // the best epoch's state
        Keep(payload.Length);
        return output.ToArray();
    }

    /// <summary>The payload of a file as Latin-1 text, so that a key inside it can be replaced byte for byte.</summary>
    public static string Payload(byte[] file) => Encoding.Latin1.GetString(file, Header, file.Length - Header - Hash);

    public static byte[] WithPayload(byte[] file, int version, string payload) => WithPayload(file, version, Encoding.Latin1.GetBytes(payload));

    /// <summary>The magic of <paramref name="file"/>, then <paramref name="version"/>, the payload's length, the payload and its SHA-256.</summary>
    public static byte[] WithPayload(byte[] file, int version, byte[] payload)
    {
        var result = new List<byte>(file.AsSpan(0, 8).ToArray());
        result.AddRange(BitConverter.GetBytes(version));
        result.AddRange(BitConverter.GetBytes((long)payload.Length));
        result.AddRange(payload);
        result.AddRange(SHA256.HashData(payload));
        return result.ToArray();
    }
}
