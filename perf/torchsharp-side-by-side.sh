#!/usr/bin/env bash
# Issue 23's residual workloads, GpuSiamese (simd) beside TorchSharp 0.107.0 (libtorch 2.10 with MKL and oneDNN) in one
# sitting, alternating, each a process of its own, at each thread count:
#   1. one epoch of the small residual preset's network (938 steps of 64 pairs, margin loss m = 2, Adam 0.001):
#      GpuSiamese's `train --layers <residual preset> --epochs 1` training seconds (sampling, gather and the epoch's
#      monitoring included, augmentation left out) against TorchSharp's 938 steps on one random batch (nothing but the steps);
#   2. forward + backward of ResNet-18 v2 at 3x64x64, batch 64, training mode: the median step of gpusiamese-perf's
#      ResidualStepJob against TorchSharp's twin (perf/torchsharp/Program.cs).
# Threads: GpuSiamese gets DOTNET_PROCESSOR_COUNT=N (the simd backend uses that many), TorchSharp torch.set_num_threads(N).
# TorchSharp's native library asks for GLIBCXX_3.4.32, which Debian 12's libstdc++ lacks; the build's copy is patched with
# perf/torchsharp/weak-version-need.py (the one symbol needing it is an unused marker).
#
# Usage: perf/torchsharp-side-by-side.sh [--threads "1 2"] [--out FILE]   (not part of the tests; builds what it runs;
#   MNIST in ~/.cache/gpusiamese/mnist — the main job fetches it)
set -uo pipefail
threads="1 2"; out=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --threads) threads=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "error: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet build -c Release "$root/src/Host" >/dev/null || { echo "error: building src/Host failed" >&2; exit 2; }
dotnet build -c Release "$root/perf/Perf.csproj" >/dev/null || { echo "error: building perf failed" >&2; exit 2; }
dotnet build -c Release "$root/perf/torchsharp/TorchSharpTwin.csproj" >/dev/null || { echo "error: building the TorchSharp twin failed" >&2; exit 2; }
twin=$root/perf/torchsharp/bin/Release/net10.0
python3 "$root/perf/torchsharp/weak-version-need.py" "$twin/runtimes/linux-x64/native/libLibTorchSharp.so" >/dev/null || exit 2
host=$root/src/Host/bin/Release/net10.0/gpusiamese
prof=$root/perf/bin/Release/net10.0/gpusiamese-perf
layers=1x14x14,c32k3nl,bn,relu,p,r32,r64s2,bn,relu,f,128l,bn,relu,32l
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ours_epoch() {
    DOTNET_PROCESSOR_COUNT=$1 "$host" train --accelerator simd --layers $layers --loss margin --margin 2 --lr 0.001 \
        --lr-schedule cosine --epochs 1 --quiet --oneshot-trials 0 --gallery-per-digit 0 --runs "$work/runs" >/dev/null 2>&1 || { echo failed; return; }
    python3 -c 'import json,sys,glob; print("%.2f" % json.load(open(sorted(glob.glob(sys.argv[1] + "/*/metrics.json"))[-1]))["timings"]["training_seconds"])' "$work/runs"
}
ours_step() {
    DOTNET_PROCESSOR_COUNT=$1 "$prof" --accelerator simd --threads "$1" --sections ResidualStepJob --out "$work" 2>/dev/null \
        | awk -F'|' '/forward \+ backward, median seconds/ { gsub(/ /, "", $3); print $3 }'
}
theirs() { "$twin/torchsharp-twin" "$@" 2>/dev/null | awk '/^seconds / { print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }

{
    echo "$(date -u '+%F %T') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at the start"
    echo
    echo "| workload | threads | GpuSiamese simd s | TorchSharp s | ratio (GpuSiamese / TorchSharp) |"
    echo "|---|--:|--:|--:|--:|"
    for t in $threads; do
        a=$(theirs residual-epoch "$t"); b=$(ours_epoch "$t")
        echo "| one epoch of the residual preset's network (60,000 pairs) | $t | $b | $a | $(ratio "$b" "$a") |"
        a=$(theirs resnet18-step "$t"); b=$(ours_step "$t")
        echo "| ResNet-18 v2 3x64x64 forward+backward, batch 64 | $t | $b | $a | $(ratio "$b" "$a") |"
    done
    echo
    echo "load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
} | tee ${out:+"$out"}
