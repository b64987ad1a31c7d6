#!/usr/bin/env bash
# Mutation testing (Stryker.NET 5.1.0, the repository's local dotnet tool) of the code whose mistakes would be silent:
# src/Kernels/Reference and the SIMD losses, optimizers and pair distance (kernels; the reference convolution and max-pool
# are group conv, whose parity fixtures are slow), src/Model/Roc.cs (model), the pair
# and triplet samplers and the balanced evaluation set in src/Data (data). Not part of the default test run: it is slow
# (each group builds, runs its fixtures once with coverage, then reruns the covering tests per mutant).
#
#   perf/mutation.sh [kernels|conv|model|data]... [dotnet-stryker options]
#   perf/mutation.sh                                   # all four groups
#   perf/mutation.sh kernels --mutate '**/Reference/Conv2d.cs'     # one file of a group (options go to every group)
#
# The tests are those in tests/ (the default `dotnet test` runs them); perf/mutation/MutationTests.csproj compiles the
# fixtures of the chosen group into a small assembly, because Stryker 5.1.0 declares the initial run "could not be
# completed" whenever fewer tests report than it discovered (so its test-case-filter cannot be used), and the whole
# suite is far too slow to rerun per mutant. Reports: perf/mutation/out/<group>/<time>/reports/mutation-report.{html,json};
# the score table is printed at the end of each group.
set -euo pipefail
cd "$(dirname "$0")/.."
groups=()
while [ $# -gt 0 ] && [[ "$1" != -* ]]; do groups+=("$1"); shift; done
[ ${#groups[@]} -eq 0 ] && groups=(kernels conv model data)
for group in "${groups[@]}"; do
  case "$group" in
    kernels|conv|model|data) ;;
    *) echo "error: unknown group '$group': expected kernels, conv, model or data" >&2; exit 2 ;;
  esac
done
dotnet tool restore >/dev/null
# Stryker's project analysis (Buildalyzer) gives `dotnet --info` 10 s by default, too little on a busy machine.
export DOTNET_INFO_WAIT_TIME="${DOTNET_INFO_WAIT_TIME:-120000}"
# vstest.console gets 90 s to connect by default; a loaded 2-core machine can miss that and end the whole run.
export VSTEST_CONNECTION_TIMEOUT="${VSTEST_CONNECTION_TIMEOUT:-1800}"
for group in "${groups[@]}"; do
  case "$group" in
    kernels|conv) project=src/Kernels ;;
    model) project=src/Model ;;
    data) project=src/Data ;;
  esac
  out="$(pwd)/perf/mutation/out/$group"
  mkdir -p "$out"
  echo "mutation: $group ($project)"
  # MSBuild reads the environment as properties: MutationTests.csproj keeps only this group's fixtures.
  (cd "$project" && MutationGroup="$group" nice -n 19 dotnet tool run dotnet-stryker \
    --config-file "../../perf/mutation/$group.json" --output "$out" "$@")
done
