using GpuSiamese.Data;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model;

/// <summary>
/// The checkpoint file format, version 3, little-endian:
/// "GSIAMCKP" magic (8 bytes), format version (int32), payload length (int64), payload, SHA-256 of the payload
/// (32 bytes). The payload holds the network configuration, the training configuration, the threshold, the
/// parameter tensor and an optional resume block (optimizer tensors and counters, sampler and generator state).
/// Saving writes a temporary file in the target's folder, flushes it to disk and renames it over the target,
/// so a crash mid-write leaves the previous file whole. Version 2 appends the triplet margin, the mining mode, the
/// mining warm-up and the dropout probability to the training configuration; version 1 files read with their defaults (no triplet
/// loss, no dropout existed then). Version 3 writes the network as its <see cref="NetworkSpec"/> spelling (so that a
/// layer list with convolutions and max-pools round-trips) where versions 1 and 2 wrote the dense widths, and the training
/// configuration as (key, value) text pairs, one per <see cref="TrainingConfig.Settings"/> entry, then the seed: a new option
/// needs no new version, and a key missing from an older file reads as its default. Version 4 adds, after the training
/// configuration, the <see cref="Preprocessing"/> (input channels, height, width, pool factor, fit, inversion) and the class
/// names; older versions read as MNIST's 14x14 preprocessing and the ten digits. Version 5 adds, after the parameters, the
/// network's non-trained state (batch norm's running statistics: <see cref="Checkpoint.State"/>, empty for a network
/// without any) and, in the resume block after the best epoch's parameters, that epoch's state; older versions read with an
/// empty state (their networks had none).
/// </summary>
public static class CheckpointFile
{
    public const int FormatVersion = 5;
    static readonly byte[] Magic = "GSIAMCKP"u8.ToArray();
    const int HeaderLength = 8 + 4 + 8;
    const int HashLength = 32;
    /// <summary>Parameters, two optimizer tensors and the best copy of the largest network we accept stay well below this.</summary>
    const long MaxFileBytes = 1L << 30;

    public static void Save(string path, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var payload = WritePayload(checkpoint);
        string full = Path.GetFullPath(path);
        // A folder that vanished (deleted underneath a run) is not made again: the user is told instead.
        TemporaryFiles.RemoveStale(Path.GetDirectoryName(full)!);
        string temp = TemporaryFiles.For(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var header = new byte[HeaderLength];
                Magic.CopyTo(header, 0);
                BitConverter.TryWriteBytes(header.AsSpan(8), FormatVersion);
                BitConverter.TryWriteBytes(header.AsSpan(12), (long)payload.Count);
                stream.Write(header);
                stream.Write(payload);
                stream.Write(SHA256.HashData(payload));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            // No space, a read-only or vanished folder: the user's to fix, said in one line (the previous file is intact).
            if (WriteFailedException.IsEnvironmental(e)) throw WriteFailedException.From(path, e);
            throw;
        }
    }

    /// <summary>
    /// Reads and checks everything; any fault is an <see cref="InvalidDataException"/> naming the file. Temporaries
    /// that dead writers left beside it are removed (<see cref="TemporaryFiles.RemoveStale"/>).
    /// </summary>
    public static Checkpoint Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) TemporaryFiles.RemoveStale(folder);
        byte[] bytes;
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
                throw Bad(path, $"it is {length:N0} bytes, more than any checkpoint this build writes ({MaxFileBytes:N0})");
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        }
        if (bytes.Length < HeaderLength)
            throw Bad(path, $"it is {bytes.Length} bytes long, shorter than the {HeaderLength}-byte header (truncated or not a checkpoint)");
        if (!bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw Bad(path, "it does not start with the checkpoint magic 'GSIAMCKP' (not a GpuSiamese checkpoint)");
        int version = BitConverter.ToInt32(bytes, 8);
        if (version > FormatVersion)
            throw Bad(path, $"it is format version {version}, written by a newer GpuSiamese; this build reads version {FormatVersion} and older");
        if (version < 1)
            throw Bad(path, $"format version {version} is not valid");
        long payloadLength = BitConverter.ToInt64(bytes, 12);
        long expected = HeaderLength + payloadLength + HashLength;
        if (payloadLength < 0 || expected != bytes.Length)
            throw Bad(path, payloadLength < 0 || expected > bytes.Length
                ? $"it is truncated: the header announces {expected} bytes, the file has {bytes.Length}"
                : $"it has {bytes.Length - expected} unexpected trailing bytes after the {expected} the header announces");
        var payload = bytes.AsSpan(HeaderLength, (int)payloadLength);
        var stored = bytes.AsSpan(HeaderLength + (int)payloadLength, HashLength);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(stored))
            throw Bad(path, "its SHA-256 checksum does not match the contents (the file is corrupt)");
        try
        {
            return ReadPayload(path, payload.ToArray(), version);
        }
        catch (EndOfStreamException)
        {
            throw Bad(path, "its payload ends before all its fields were read");
        }
        catch (FormatException)
        {
            throw Bad(path, "a text field of its payload has a malformed length");
        }
        catch (ArgumentException e)
        {
            throw Bad(path, $"it holds an invalid configuration: {e.Message}");
        }
    }

    /// <summary>
    /// Loads for scoring: when <paramref name="expected"/> is given, a checkpoint of another architecture is
    /// refused with both shapes in the message.
    /// </summary>
    public static Checkpoint LoadForInference(string path, NetworkConfig? expected)
    {
        var checkpoint = Load(path);
        if (expected is not null && !expected.Equals(checkpoint.Network))
            throw Bad(path, $"it holds a {checkpoint.Network} network, but {expected} was expected");
        return checkpoint;
    }

    static InvalidDataException Bad(string path, string what) => new($"checkpoint '{path}': {what}");

    /// <summary>
    /// The payload in one buffer sized up front: a checkpoint is written every epoch, and a growing stream plus its
    /// copy left several payload-sized arrays of garbage each time (the preset's run peaked 100 MiB higher for it).
    /// </summary>
    static ArraySegment<byte> WritePayload(Checkpoint c)
    {
        long tensors = c.Parameters.Length + c.State.Length + (c.Resume?.BestParameters?.Length ?? 0) + (c.Resume?.BestState?.Length ?? 0)
            + (c.Resume?.OptimizerState.Sum(t => (long)t.Length) ?? 0);
        long capacity = 4 * tensors + (c.Resume?.SamplerState.Length ?? 0) + 64 * (c.Resume?.History.Count ?? 0) + 4096;
        using var ms = new MemoryStream((int)Math.Min(capacity, Array.MaxLength));
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            WriteNetwork(w, c.Network);
            WriteTraining(w, c.Training);
            WritePreprocessing(w, c.Preprocessing, c.ClassNames);
            w.Write(c.Threshold);
            WriteTensor(w, c.Parameters);
            WriteTensor(w, c.State);
            w.Write(c.Resume is not null);
            if (c.Resume is { } r)
            {
                w.Write(r.OptimizerState.Length);
                foreach (var t in r.OptimizerState) WriteTensor(w, t);
                w.Write(r.OptimizerSteps);
                w.Write(r.Step);
                w.Write(r.EpochLossSum);
                w.Write(r.SamplerState.Length);
                w.Write(r.SamplerState);
                w.Write(r.RngState.Length);
                foreach (ulong s in r.RngState) w.Write(s);
                w.Write(r.History.Count);
                foreach (var e in r.History)
                {
                    w.Write(e.Epoch); w.Write(e.MeanLoss); w.Write(e.TrainAccuracy); w.Write(e.ValidationAccuracy);
                    w.Write(e.ValidationAuc); w.Write(e.Threshold); w.Write(e.LearningRate); w.Write(e.PairsPerSecond);
                    w.Write(e.EpochTime.Ticks); w.Write(e.Elapsed.Ticks);
                }
                w.Write(r.BestParameters is not null);
                if (r.BestParameters is not null)
                {
                    WriteTensor(w, r.BestParameters);
                    WriteTensor(w, r.BestState ?? []);
                }
            }
        }
        return new ArraySegment<byte>(ms.GetBuffer(), 0, (int)ms.Length);
    }

    static Checkpoint ReadPayload(string path, byte[] payload, int version)
    {
        using var r = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        var network = ReadNetwork(r, version);
        var training = ReadTraining(r, network, version);
        var (preprocessing, classNames) = version >= 4 ? ReadPreprocessing(r) : (Preprocessing.MnistDefault, MnistSource.ClassNames);
        if (preprocessing.Input.Size != network.Input.Size)
            throw Bad(path, $"its preprocessing makes {preprocessing.Input} inputs but its {network} network reads {network.Input.Size} values");
        double threshold = r.ReadDouble();
        var parameters = ReadTensor(r, path, "parameters");
        RequireFinite(path, parameters, "parameters");
        if (parameters.Length != network.ParameterCount)
            throw Bad(path, $"its parameter tensor holds {parameters.Length} values, but a {network} network has {network.ParameterCount}");
        var state = version >= 5 ? ReadState(r, path, network, "state") : [];
        TrainerState? resume = null;
        if (r.ReadBoolean())
        {
            int count = r.ReadInt32();
            int expectedCount = Optimizer.StateNamesOf(training.Optimizer).Count;
            if (count != expectedCount)
                throw Bad(path, $"it holds {count} optimizer tensors, {training.Optimizer} keeps {expectedCount}");
            var optimizer = new float[count][];
            for (int i = 0; i < count; i++)
            {
                optimizer[i] = ReadTensor(r, path, $"optimizer tensor {i}");
                RequireFinite(path, optimizer[i], $"optimizer tensor {i}");
                if (optimizer[i].Length != network.ParameterCount)
                    throw Bad(path, $"optimizer tensor {i} holds {optimizer[i].Length} values, expected {network.ParameterCount}");
            }
            long optimizerSteps = r.ReadInt64();
            long step = r.ReadInt64();
            double lossSum = r.ReadDouble();
            if (optimizerSteps < 0 || step < 0)
                throw Bad(path, $"negative step counters ({optimizerSteps}, {step})");
            int samplerLength = Count(r, path, "sampler state", sizeof(byte));
            byte[] sampler = r.ReadBytes(samplerLength);
            if (sampler.Length != samplerLength) throw new EndOfStreamException();
            int rngLength = Count(r, path, "generator state", sizeof(ulong));
            var rng = new ulong[rngLength];
            for (int i = 0; i < rngLength; i++) rng[i] = r.ReadUInt64();
            const int EpochReportBytes = 4 + 7 * 8 + 2 * 8;
            int epochs = Count(r, path, "epoch history", EpochReportBytes);
            var history = new EpochReport[epochs];
            for (int i = 0; i < epochs; i++)
                history[i] = new EpochReport(r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(),
                    r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), new TimeSpan(r.ReadInt64()), new TimeSpan(r.ReadInt64()));
            float[]? best = null, bestState = null;
            if (r.ReadBoolean())
            {
                best = ReadTensor(r, path, "best parameters");
                RequireFinite(path, best, "best parameters");
                if (best.Length != network.ParameterCount)
                    throw Bad(path, $"its best-epoch parameters hold {best.Length} values, expected {network.ParameterCount}");
                bestState = version >= 5 ? ReadState(r, path, network, "best-epoch state") : [];
            }
            resume = new TrainerState(optimizer, optimizerSteps, step, lossSum, sampler, rng, history, best, bestState);
        }
        if (r.BaseStream.Position != payload.Length)
            throw Bad(path, $"{payload.Length - r.BaseStream.Position} bytes of its payload are not accounted for");
        return new Checkpoint(network, training, parameters, threshold, resume)
        {
            State = state,
            Preprocessing = preprocessing,
            ClassNames = classNames,
        };
    }

    /// <summary>Version 5: the network's non-trained state, empty or exactly its <see cref="NetworkConfig.StateCount"/> values.</summary>
    static float[] ReadState(BinaryReader r, string path, NetworkConfig network, string name)
    {
        var state = ReadTensor(r, path, name);
        RequireFinite(path, state, name);
        if (state.Length != 0 && state.Length != network.StateCount)
            throw Bad(path, $"its {name} holds {state.Length} values, but a {network} network keeps {network.StateCount}");
        return state;
    }

    /// <summary>Version 4: input channels, height, width, pool factor, fit and inversion (as their names), then the class names.</summary>
    static void WritePreprocessing(BinaryWriter w, Preprocessing p, IReadOnlyList<string> classNames)
    {
        w.Write(p.Input.Channels);
        w.Write(p.Input.Height);
        w.Write(p.Input.Width);
        w.Write(p.Pool);
        w.Write(p.Fit.ToString());
        w.Write(p.Invert.ToString());
        w.Write(classNames.Count);
        foreach (var name in classNames) w.Write(name);
    }

    static (Preprocessing, IReadOnlyList<string>) ReadPreprocessing(BinaryReader r)
    {
        var input = new ImageShape(r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
        int pool = r.ReadInt32();
        string fit = r.ReadString(), invert = r.ReadString();
        if (!Enum.TryParse(fit, out ImageFit f) || !Enum.IsDefined(f))
            throw new ArgumentException($"unknown image fit '{fit}'");
        if (!Enum.TryParse(invert, out InvertMode i) || !Enum.IsDefined(i))
            throw new ArgumentException($"unknown inversion '{invert}'");
        var preprocessing = new Preprocessing(input, pool, f, i).Validated();
        int count = r.ReadInt32();
        long left = r.BaseStream.Length - r.BaseStream.Position;
        if (count < 1 || count > left)
            throw new ArgumentException($"{count} class names");
        var names = new string[count];
        for (int k = 0; k < count; k++) names[k] = r.ReadString();
        return (preprocessing, names);
    }

    /// <summary>Version 3: the network's <see cref="NetworkSpec"/> spelling (widths or layer list) and the output-ReLU flag.</summary>
    static void WriteNetwork(BinaryWriter w, NetworkConfig n)
    {
        w.Write(n.LayerList ?? string.Join(',', n.Widths));
        w.Write(n.ReluOnOutput);
    }

    static NetworkConfig ReadNetwork(BinaryReader r, int version)
    {
        if (version >= 3)
        {
            string spec;
            try
            {
                spec = r.ReadString();
            }
            catch (Exception e) when (e is FormatException or IOException and not EndOfStreamException)
            {
                throw new ArgumentException($"the network's spelling is damaged ({e.Message})");
            }
            if (spec.Length > 4096) throw new ArgumentException($"a network spelled in {spec.Length} characters");
            return NetworkSpec.Parse(spec, r.ReadBoolean());
        }
        // Versions 1 and 2: the dense widths, then the output-ReLU flag.
        int count = r.ReadInt32();
        if (count < 0 || count > 1024) throw new ArgumentException($"{count} layer widths");
        var widths = new int[count];
        for (int i = 0; i < count; i++) widths[i] = r.ReadInt32();
        return new NetworkConfig(widths, r.ReadBoolean());
    }

    // Version 3: each setting as its key and its value in command-line text (exact: numbers round-trip), then the seed.
    static void WriteTraining(BinaryWriter w, TrainingConfig t)
    {
        w.Write(TrainingConfig.Settings.Count);
        foreach (var setting in TrainingConfig.Settings)
        {
            w.Write(setting.Key);
            w.Write(setting.Format(t));
        }
        w.Write(t.Seed);
    }

    static TrainingConfig ReadSettings(BinaryReader r, NetworkConfig network)
    {
        var t = new TrainingConfig { Network = network };
        int count = r.ReadInt32();
        if (count < 0 || count > 4096) throw new ArgumentException($"{count} training settings");
        for (int i = 0; i < count; i++)
        {
            string key = r.ReadString(), value = r.ReadString();
            var setting = TrainingConfig.Settings.FirstOrDefault(s => s.Key == key)
                ?? throw new ArgumentException($"unknown training setting '{key}'");
            if (!setting.TryApply(t, value, out t))
                throw new ArgumentException($"training setting '{key}' holds '{value}', expected {setting.Expected}");
        }
        t = t with { Seed = r.ReadUInt64() };
        t.Validate();
        return t;
    }

    // Versions 1 and 2: fields in a fixed order.
    static TrainingConfig ReadTraining(BinaryReader r, NetworkConfig network, int version)
    {
        if (version >= 3) return ReadSettings(r, network);
        var t = new TrainingConfig
        {
            Network = network,
            Loss = (LossKind)r.ReadInt32(), Q = r.ReadDouble(), Margin = r.ReadDouble(),
            Optimizer = (OptimizerKind)r.ReadInt32(), LearningRate = r.ReadDouble(), Beta1 = r.ReadDouble(),
            Beta2 = r.ReadDouble(), OptimizerEpsilon = r.ReadDouble(), Rho = r.ReadDouble(), Momentum = r.ReadDouble(),
            Nesterov = r.ReadBoolean(), Epochs = r.ReadInt32(), BatchPairs = r.ReadInt32(), PairsPerEpoch = r.ReadInt32(),
            DistanceEpsilon = r.ReadDouble(), ValidationFraction = r.ReadDouble(), Seed = r.ReadUInt64(),
            Schedule = (LearningRateSchedule)r.ReadInt32(), StepEpochs = r.ReadInt32(), StepGamma = r.ReadDouble(),
            CosineFinalFraction = r.ReadDouble(), ClipNorm = r.ReadDouble(), MonitorPairs = r.ReadInt32(),
            Augment = r.ReadBoolean(), AugmentShift = r.ReadDouble(), AugmentRotation = r.ReadDouble(),
            AugmentMinScale = r.ReadDouble(), AugmentMaxScale = r.ReadDouble(), EarlyStoppingPatience = r.ReadInt32(),
        };
        if (version >= 2)
            t = t with { TripletMargin = r.ReadDouble(), Mining = (TripletMining)r.ReadInt32(), MiningWarmupEpochs = r.ReadInt32(), Dropout = r.ReadDouble() };
        t.Validate();
        return t;
    }

    static void WriteTensor(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("checkpoints are written little-endian");
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    static float[] ReadTensor(BinaryReader r, string path, string name)
    {
        int length = Count(r, path, name, sizeof(float));
        var bytes = r.ReadBytes(length * sizeof(float));
        if (bytes.Length != length * sizeof(float)) throw new EndOfStreamException();
        var values = new float[length];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    /// <summary>
    /// Training never saves a non-finite value (it stops first), so one here is damage: scoring with it would give
    /// NaN distances, resuming with it would diverge at once.
    /// </summary>
    static void RequireFinite(string path, float[] values, string name)
    {
        int i = Array.FindIndex(values, v => !float.IsFinite(v));
        if (i >= 0)
            throw Bad(path, $"its {name} hold a non-finite value ({values[i]}) at index {i}; a checkpoint holds finite values only");
    }

    /// <summary>An element count, checked against what is left of the payload before anything is allocated.</summary>
    static int Count(BinaryReader r, string path, string name, int elementSize)
    {
        int n = r.ReadInt32();
        long left = r.BaseStream.Length - r.BaseStream.Position;
        if (n < 0 || (long)n * elementSize > left)
            throw Bad(path, $"{name} claims {n} elements but only {left} bytes remain");
        return n;
    }
}
