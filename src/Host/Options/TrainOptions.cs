using System.Text.Json.Serialization;

namespace GpuSiamese.Host.Options;

// metrics.json writes these choices as the command line spells them (JsonStringEnumMemberName).

/// <summary>Which compute device trains and scores: ILGPU's CPU accelerator, CUDA, OpenCL, the SIMD host backend, or the fastest present.</summary>
public enum AcceleratorChoice { Cpu, Cuda, [JsonStringEnumMemberName("opencl")] OpenCl, Simd, Auto }

/// <summary>
/// Loss: Chopra 2005 bounded contrastive (parameter Q), Hadsell 2006 margin contrastive (parameter m), or the triplet
/// loss max(d(a,p) − d(a,n) + m, 0) on balanced triplets (parameter --triplet-margin).
/// </summary>
public enum LossChoice { Contrastive, Margin, Triplet }

/// <summary>Triplet selection: the sampler's triplets, or batch-hard (farthest positive, nearest negative within the batch).</summary>
public enum MiningChoice { None, [JsonStringEnumMemberName("batch-hard")] BatchHard }

public enum OptimizerChoice { Adam, [JsonStringEnumMemberName("rmsprop")] RmsProp, Sgd }

/// <summary>Learning-rate schedule over epochs.</summary>
public enum LrScheduleChoice { None, Step, Cosine }

/// <summary>
/// Everything <c>train</c> was asked to do, already checked for range; the host maps it onto the
/// Model's training configuration. Defaults are the exercise's.
/// </summary>
public sealed record TrainOptions
{
    public int[] Layers { get; init; } = [196, 200, 10];
    /// <summary>
    /// The layer list given to --layers (<see cref="Model.NetworkSpec"/>, e.g. 1x14x14,c32k3,p,c64k3,p,f,128,32l); null when
    /// --layers gave dense widths, which <see cref="Layers"/> then holds (for a layer list it holds each layer's output size).
    /// </summary>
    public string? LayerList { get; init; }
    /// <summary>ReLU on the last layer too (the exercise's network); false leaves it linear.</summary>
    public bool ReluOutput { get; init; } = true;
    public LossChoice Loss { get; init; } = LossChoice.Contrastive;
    public double Q { get; init; } = 5;
    public double Margin { get; init; } = 1;
    /// <summary>Margin of the triplet loss.</summary>
    public double TripletMargin { get; init; } = 1;
    public MiningChoice Mining { get; init; } = MiningChoice.None;
    /// <summary>Epochs on the sampled triplets before batch-hard mining starts.</summary>
    public int MiningWarmup { get; init; } = 1;
    /// <summary>Inverted-dropout probability on the hidden layers during training; 0 = off.</summary>
    public double Dropout { get; init; }
    public OptimizerChoice Optimizer { get; init; } = OptimizerChoice.Adam;
    public double LearningRate { get; init; } = 0.01;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double AdamEps { get; init; } = 1e-7;
    /// <summary>RMSprop's decay ρ of the squared-gradient average.</summary>
    public double Rho { get; init; } = 0.9;
    /// <summary>SGD momentum μ (0 = plain SGD).</summary>
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; }
    public LrScheduleChoice LrSchedule { get; init; } = LrScheduleChoice.None;
    /// <summary>Step schedule: the rate is multiplied by <see cref="LrGamma"/> every this many epochs.</summary>
    public int LrStepEpochs { get; init; } = 1;
    public double LrGamma { get; init; } = 0.5;
    /// <summary>Cosine schedule: the fraction of the rate reached at the last step.</summary>
    public double CosineFinal { get; init; }
    /// <summary>Pairs in each fixed balanced set the per-epoch train and validation accuracies are measured on.</summary>
    public int MonitorPairs { get; init; } = 4_000;
    /// <summary>Augment training images: random shift, rotation and scale of the 28x28 original before pooling.</summary>
    public bool Augment { get; init; }
    /// <summary>Largest shift in 28x28 pixels, each axis.</summary>
    public double AugmentShift { get; init; } = 2;
    /// <summary>Largest rotation in degrees, either way.</summary>
    public double AugmentRotation { get; init; } = 15;
    public double AugmentMinScale { get; init; } = 0.9;
    public double AugmentMaxScale { get; init; } = 1.1;
    /// <summary>Stop after this many epochs without a better validation AUC and keep the best epoch; 0 = off.</summary>
    public int Patience { get; init; }
    /// <summary>Largest gradient norm before scaling; 0 = no clipping.</summary>
    public double ClipNorm { get; init; }
    public int Epochs { get; init; } = 5;
    public int Batch { get; init; } = 64;
    public int PairsPerEpoch { get; init; } = 60_000;
    public double Validation { get; init; } = 0.1;
    /// <summary>ε in E_w = sqrt(max(Σ(a−b)², ε)).</summary>
    public double Eps { get; init; } = 1e-7;
    public ulong Seed { get; init; } = 1;
    public AcceleratorChoice Accelerator { get; init; } = AcceleratorChoice.Auto;
    public string? DataDir { get; init; }
    public string RunsDir { get; init; } = "runs";
    public bool Quiet { get; init; }
    public int PositivesPerDigit { get; init; } = 800;
    public int NegativesPerPair { get; init; } = 200;
    /// <summary>A checkpoint to continue from (optimizer state and sampler position included).</summary>
    public string? Resume { get; init; }
    /// <summary>The preset the values were taken from (options given explicitly override it); null = the exercise's defaults.</summary>
    public string? Preset { get; init; }
    /// <summary>One-shot trials after training: candidates per trial (N of N-way).</summary>
    public int OneShotWays { get; init; } = 10;
    /// <summary>One-shot trials after training; 0 = none.</summary>
    public int OneShotTrials { get; init; } = 2_000;
    /// <summary>Identification after training: gallery images per digit; 0 = none.</summary>
    public int GalleryPerDigit { get; init; } = 5;
}
