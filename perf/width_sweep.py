#!/usr/bin/env python3
"""Width sweep: one epoch of 196-W-W/2-64 for W = 200, 512, 1024, 2048, 4096, GpuSiamese beside PyTorch.

ReLU hidden layers, linear output, margin contrastive loss (m = 1), Adam 0.001, batches of 64 pairs (128 rows
gathered from a 54,000-row table), 60,000 pairs per epoch (--pairs to shorten it on a loaded machine; the rate
is per step either way). Each configuration runs in a process of its own, so its peak RSS (VmHWM / ru_maxrss)
is its own; best of --repeat runs, the configurations of one width run side by side in one sitting.

GpuSiamese: `gpusiamese-perf --sweep-width W --threads T` (simd, 1 and 2 threads) and `--accelerator opencl`
(PoCL) with --pocl. PyTorch: this script with --torch-child W T (Debian python3-torch, OpenBLAS), with
OMP_NUM_THREADS = T and OMP_WAIT_POLICY = PASSIVE. Training GFLOP/s count forward + weight gradients of every
layer + data gradients of all but the first, per pair (two rows) — the same formula on both sides.

    python3 perf/width_sweep.py [--widths 200,512,...] [--pairs 60000] [--repeat 2] [--pocl] [--out perf/results]
"""
import argparse, datetime, json, os, resource, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def layers(w):
    return [196, w, w // 2, 64]


def flops_per_pair(ls):
    f = 0.0
    for l in range(len(ls) - 1):
        f += 2.0 * ls[l] * ls[l + 1] * (2 if l == 0 else 3)
    return 2 * f


def torch_child(width, threads, pairs):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    ls = layers(width)
    mods = []
    for i in range(len(ls) - 1):
        mods.append(torch.nn.Linear(ls[i], ls[i + 1]))
        if i < len(ls) - 2:
            mods.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*mods)
    opt = torch.optim.Adam(net.parameters(), lr=0.001, eps=1e-7)
    table = torch.rand(54000, 196)
    g = torch.Generator().manual_seed(1)
    steps = (pairs + 63) // 64

    def step(n):
        idx = torch.randint(0, 54000, (2 * n,), generator=g)
        y = torch.randint(0, 2, (n,), generator=g).float()
        e = net(table[idx])
        a, b = e[0::2], e[1::2]
        d = torch.sqrt(((a - b) ** 2).sum(1) + 1e-7)
        loss = ((1 - y) * d * d + y * torch.clamp(1.0 - d, min=0) ** 2).mean()
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()

    step(64)  # warm-up (allocations), not timed
    ru = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = ru.ru_utime + ru.ru_stime
    t = time.perf_counter()
    for s in range(steps):
        step(min(64, pairs - s * 64))
    sec = time.perf_counter() - t
    ru = resource.getrusage(resource.RUSAGE_SELF)
    cpu = ru.ru_utime + ru.ru_stime - cpu0
    rss = ru.ru_maxrss * 1024
    print("SWEEP-RESULT " + json.dumps({"Backend": f"PyTorch {torch.__version__}", "Width": width, "Threads": threads,
                                        "TrainSeconds": sec, "PairsPerSecond": pairs / sec,
                                        "GflopPerSecond": flops_per_pair(ls) * pairs / sec / 1e9, "PeakRssBytes": rss,
                                        "CpuSeconds": cpu}))


def run(cmd, env_extra):
    env = dict(os.environ, **env_extra)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    for line in out.stdout.splitlines():
        if line.startswith("SWEEP-RESULT "):
            return json.loads(line[len("SWEEP-RESULT "):])
    raise RuntimeError(f"{' '.join(cmd)} exited {out.returncode} without a result:\n{out.stdout}\n{out.stderr}")


# Pairs per run with --pairs auto: a full epoch at W = 200, then about 50-140 GFLOP of training per run.
AUTO_PAIRS = {200: 60000, 512: 20032, 1024: 6400, 2048: 2560, 4096: 1280}


def pairs_for(spec, w):
    if spec != "auto":
        return int(spec)
    return AUTO_PAIRS.get(w, max(640, int(60000 * 200 / w) // 64 * 64))


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="200,512,1024,2048,4096")
    ap.add_argument("--pairs", default="60000", help="pairs per run, or 'auto' (AUTO_PAIRS: a full epoch at W = 200, "
                    "fewer steps as W grows; the rate is per step, and a loaded machine has no time for 60,000 pairs at W = 4096)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--pocl", action="store_true")
    ap.add_argument("--perf", default=os.path.join(HERE, "bin", "Release", "net10.0", "gpusiamese-perf.dll"))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--torch-child", nargs=2, type=int)
    a = ap.parse_args()
    if a.torch_child:
        torch_child(a.torch_child[0], a.torch_child[1], int(a.pairs))
        return
    if not os.path.exists(a.perf):
        sys.exit(f"error: {a.perf} not found: build it first (dotnet build -c Release perf)")
    configs = [("simd", 1), ("simd", 2), ("torch", 1), ("torch", 2)] + ([("opencl", 0)] if a.pocl else [])
    rows, loads = [], [loadavg()]
    for w in [int(x) for x in a.widths.split(",")]:
        pairs = pairs_for(a.pairs, w)
        best = {}
        for r in range(a.repeat):
            for kind, t in configs:
                if kind == "torch":
                    res = run([sys.executable, os.path.abspath(__file__), "--torch-child", str(w), str(t), "--pairs", str(pairs)],
                              {"OMP_NUM_THREADS": str(t), "OPENBLAS_NUM_THREADS": str(t), "OMP_WAIT_POLICY": "PASSIVE"})
                else:
                    cmd = ["dotnet", a.perf, "--sweep-width", str(w), "--accelerator", kind] + (["--threads", str(t)] if t else [])
                    res = run(cmd, {"GPUSIAMESE_SWEEP_PAIRS": str(pairs)})
                key = (kind, t)
                res["GflopPerCpuSecond"] = flops_per_pair(layers(w)) * pairs / res["CpuSeconds"] / 1e9
                res["Pairs"] = pairs
                print(f"W={w} {kind} {t}t run {r + 1}: {res['GflopPerSecond']:.1f} GFLOP/s, {res['GflopPerCpuSecond']:.1f} per CPU s, {res['TrainSeconds']:.2f} s, "
                      f"{res['PeakRssBytes'] / 2**20:.0f} MiB (load {loadavg()})", flush=True)
                if key not in best or res["GflopPerSecond"] > best[key]["GflopPerSecond"]:
                    best[key] = res
        loads.append(loadavg())
        rows.append((w, best))
    write(a, configs, rows, loads)


def write(a, configs, rows, loads):
    date = datetime.datetime.utcnow().strftime("%Y-%m-%d")
    names = {("simd", 1): "simd 1t", ("simd", 2): "simd 2t", ("torch", 1): "PyTorch 1t", ("torch", 2): "PyTorch 2t", ("opencl", 0): "PoCL"}
    lines = [f"# Width sweep: one epoch of 196-W-W/2-64, GpuSiamese beside PyTorch", "",
             f"{date}; pairs per run (batch 64) in the table ({a.pairs}), best of {a.repeat}; margin loss, Adam 0.001; "
             f"training GFLOP/s = (forward + dW + dX but the first layer's) FLOPs per pair x pairs/s by the wall clock; "
             f"GFLOP per CPU s = the same FLOPs over the process's user+system CPU time (what the cores it got did; "
             f"GpuSiamese's includes its per-epoch monitor scoring and spinning workers); peak RSS per process. "
             f"Load average (1 min) before and after each width: {', '.join(loads)} (2 cores shared).", ""]
    hdr = (["W", "pairs", "GFLOP/pair"] + [f"{names[c]} GFLOP/s" for c in configs] + ["simd/PyTorch 1t", "simd/PyTorch 2t"]
           + [f"{names[c]} GFLOP per CPU s" for c in configs] + [f"{names[c]} MiB" for c in configs])
    lines.append("| " + " | ".join(hdr) + " |")
    lines.append("|" + "|".join(["---:"] * len(hdr)) + "|")
    for w, best in rows:
        g = lambda c: best[c]["GflopPerSecond"]
        cells = [str(w), f"{best[configs[0]]['Pairs']:,}", f"{flops_per_pair(layers(w)) / 1e9:.4f}"] + [f"{g(c):.1f}" for c in configs]
        cells += [f"{g(('simd', 1)) / g(('torch', 1)):.2f}x", f"{g(('simd', 2)) / g(('torch', 2)):.2f}x"]
        cells += [f"{best[c]['GflopPerCpuSecond']:.1f}" for c in configs]
        cells += [f"{best[c]['PeakRssBytes'] / 2**20:.0f}" for c in configs]
        lines.append("| " + " | ".join(cells) + " |")
    for c in [("simd", 1), ("simd", 2)]:
        top = max(b[c]["GflopPerSecond"] for _, b in rows)
        worst = min(b[c]["GflopPerSecond"] for _, b in rows)
        lines.append("")
        lines.append(f"{names[c]}: best {top:.1f} GFLOP/s, lowest {worst:.1f} ({100 * (1 - worst / top):.0f} % below the best).")
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, f"{date}-width-sweep.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
