using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// TorchSharp twins of two residual workloads (issue 23), timed the way perf/torchsharp-side-by-side.sh reads them:
//   residual-epoch THREADS [STEPS]: the small residual preset's network (1x14x14, channels first) trained for an epoch of
//     938 steps of 64 pairs (128 images of random pixels, half the pairs same), margin loss m = 2, Adam 0.001;
//   resnet18-step THREADS [REPS]: forward + backward of ResNet-18 v2 at 3x64x64, batch 64, training mode (batch norm
//     from the batch), median of REPS after two warm-ups.
// Prints one line "seconds S" (the epoch's training time, or the median step).
if (args.Length < 2) { Console.Error.WriteLine("usage: torchsharp-twin residual-epoch|resnet18-step THREADS [COUNT]"); return 2; }
int threads = int.Parse(args[1]);
torch.set_num_threads(threads);
torch.manual_seed(1);
switch (args[0])
{
    case "residual-epoch":
    {
        int steps = args.Length > 2 ? int.Parse(args[2]) : 938;
        var model = Nets.Residual();
        model.train();
        var adam = torch.optim.Adam(model.parameters(), lr: 0.001);
        var x = torch.rand(128, 1, 14, 14);
        var same = torch.cat([torch.zeros(32), torch.ones(32)]);
        var clock = Stopwatch.StartNew();
        for (int s = 0; s < steps; s++)
        {
            using var scope = torch.NewDisposeScope();
            adam.zero_grad();
            var e = model.call(x).view(64, 2, 32);
            var d = (e.select(1, 0) - e.select(1, 1)).pow(2).sum(1).add(1e-7).sqrt();
            var loss = ((1 - same) * d.pow(2) + same * (2.0 - d).clamp_min(0).pow(2)).mean();
            loss.backward();
            adam.step();
        }
        Console.WriteLine($"seconds {clock.Elapsed.TotalSeconds:F3}");
        break;
    }
    case "resnet18-step":
    {
        int reps = args.Length > 2 ? int.Parse(args[2]) : 5;
        var model = Nets.ResNet18();
        model.train();
        var x = torch.rand(64, 3, 64, 64);
        var g = torch.rand(64, 128);
        var times = new List<double>();
        for (int r = 0; r < reps + 2; r++)
        {
            using var scope = torch.NewDisposeScope();
            var clock = Stopwatch.StartNew();
            model.zero_grad();
            (model.call(x) * g).sum().backward();
            if (r >= 2) times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        Console.WriteLine($"seconds {times[times.Count / 2]:F3}");
        break;
    }
    default:
        Console.Error.WriteLine($"unknown workload {args[0]}");
        return 2;
}
return 0;

/// <summary>ResNet v2's basic block: bn, relu (the shared pre-activation), 3x3 conv (stride s), bn, relu, 3x3 conv; the
/// shortcut is the input, or a 1x1 stride-s convolution of the pre-activation when the shape changes.</summary>
sealed class Block : nn.Module<Tensor, Tensor>
{
    readonly BatchNorm2d bn1, bn2;
    readonly Conv2d conv1, conv2;
    readonly Conv2d? projection;

    public Block(long inC, long outC, long stride) : base($"block{inC}-{outC}")
    {
        bn1 = nn.BatchNorm2d(inC); conv1 = nn.Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outC); conv2 = nn.Conv2d(outC, outC, 3, padding: 1, bias: false);
        if (inC != outC || stride != 1) projection = nn.Conv2d(inC, outC, 1, stride: stride, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var pre = nn.functional.relu(bn1.call(x));
        var y = conv2.call(nn.functional.relu(bn2.call(conv1.call(pre))));
        return y + (projection is null ? x : projection.call(pre));
    }
}

static class Nets
{
    /// <summary>1x14x14,c32k3nl,bn,relu,p,r32,r64s2,bn,relu,f,128l,bn,relu,32l.</summary>
    public static nn.Module<Tensor, Tensor> Residual() => nn.Sequential(
        nn.Conv2d(1, 32, 3, padding: 1, bias: false), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2, 2),
        new Block(32, 32, 1), new Block(32, 64, 2), nn.BatchNorm2d(64), nn.ReLU(), nn.Flatten(),
        nn.Linear(64 * 4 * 4, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, 32));

    /// <summary>3x64x64,c64k7s2l,p3s2p1,r64,r64,r128s2,r128,r256s2,r256,r512s2,r512,bn,relu,gap,128l,sigmoid.</summary>
    public static nn.Module<Tensor, Tensor> ResNet18() => nn.Sequential(
        nn.Conv2d(3, 64, 7, stride: 2, padding: 3), nn.MaxPool2d(3, 2, 1),
        new Block(64, 64, 1), new Block(64, 64, 1), new Block(64, 128, 2), new Block(128, 128, 1),
        new Block(128, 256, 2), new Block(256, 256, 1), new Block(256, 512, 2), new Block(512, 512, 1),
        nn.BatchNorm2d(512), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 128), nn.Sigmoid());
}
