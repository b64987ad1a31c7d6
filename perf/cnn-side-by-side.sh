#!/usr/bin/env bash
# The comparison network of issue 12 trained by GpuSiamese (simd; --preset cnn's network and optimiser, 15 epochs, no augmentation) and by PyTorch 1.13
# (perf/pytorch_cnn.py), side by side in one sitting: for each thread count, PyTorch then GpuSiamese, alternating,
# each a process of its own (its peak RSS is its own). Threads: GpuSiamese gets DOTNET_PROCESSOR_COUNT=N (the simd
# backend uses that many), PyTorch OMP_NUM_THREADS/OPENBLAS_NUM_THREADS=N with OMP_WAIT_POLICY=PASSIVE.
#
# Usage: perf/cnn-side-by-side.sh [--threads "1 2"] [--epochs 15] [--pairs 60000] [--out FILE]
#   (not part of the tests; needs `dotnet build -c Release src/Host`, /usr/bin/python3 with python3-torch and
#   libopenblas0-pthread, and MNIST in ~/.cache/gpusiamese/mnist — the main job fetches it)
# Prints one table row per run: training seconds, CPU seconds of the process, peak RSS, test AUC.
set -uo pipefail
threads="1 2"; epochs=15; pairs=60000; out=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --threads) threads=$2; shift 2 ;;
        --epochs) epochs=$2; shift 2 ;;
        --pairs) pairs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "error: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
host=$root/src/Host/bin/Release/net10.0/gpusiamese.dll
[[ -f $host ]] || { echo "error: $host is missing: run 'dotnet build -c Release src/Host' first" >&2; exit 2; }
[[ -x /usr/bin/python3 ]] || { echo "error: /usr/bin/python3 is missing" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

row() { # name threads training-seconds cpu-seconds rss-kib auc
    printf '| %s | %s | %s | %s | %s MiB | %s |\n' "$1" "$2" "$3" "$4" "$(( $5 / 1024 ))" "$6"
}

table="| run | threads | training s | process CPU s | peak RSS | test AUC |
|---|--:|--:|--:|--:|--:|"
echo "$(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg), $epochs epochs of $pairs pairs"
echo "$table"
for t in $threads; do
    # PyTorch
    OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t /usr/bin/time -f '%U %S %M' -o "$work/time" \
        /usr/bin/python3 "$root/perf/pytorch_cnn.py" --threads "$t" --epochs "$epochs" --pairs "$pairs" > "$work/torch.txt" 2>&1
    read -r u s m < <(tail -n 1 "$work/time")
    line=$(grep -E '^threads' "$work/torch.txt" | tail -n 1)
    train=$(sed -E 's/.*training ([0-9.]+) s.*/\1/' <<< "$line"); auc=$(sed -E 's/.*AUC ([0-9.]+).*/\1/' <<< "$line")
    r=$(row "PyTorch 1.13" "$t" "$train" "$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.1f", u + s }')" "$m" "$auc"); echo "$r"; table+=$'\n'"$r"
    # GpuSiamese
    # the comparison network as the issue states it: --preset cnn's network and optimiser, without its augmentation
    DOTNET_PROCESSOR_COUNT=$t /usr/bin/time -f '%U %S %M' -o "$work/time" dotnet "$host" --accelerator simd \
        --layers 1x14x14,c32k3,p,c64k3,p,f,128,32l --loss margin --margin 2 --lr 0.001 --lr-schedule cosine \
        --epochs "$epochs" --pairs-per-epoch "$pairs" --runs "$work/runs" --quiet > "$work/gs.txt" 2>&1
    read -r u s m < <(tail -n 1 "$work/time")
    metrics=$(ls -d "$work"/runs/*/ | tail -n 1)metrics.json
    train=$(grep -E '"training_seconds"' "$metrics" | sed -E 's/[^0-9.]//g'); auc=$(grep -A4 '"test"' "$metrics" | grep '"auc"' | sed -E 's/[^0-9.]//g')
    r=$(row "GpuSiamese simd" "$t" "$(printf '%.1f' "$train")" "$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.1f", u + s }')" "$m" "$(printf '%.5f' "$auc")")
    echo "$r"; table+=$'\n'"$r"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -n $out ]] && { printf '%s\n' "$table" > "$out"; echo "written: $out"; }
