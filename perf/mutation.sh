#!/usr/bin/env bash
# Mutation testing (Stryker.NET, the repository's local dotnet tool) of the code whose mistakes would be silent:
# src/Kernels/Reference, the SIMD losses, optimizers and pair distance, src/Model/Roc.cs and the samplers in src/Data.
# Not part of the default test run: it is slow (tens of minutes on 2 cores), each mutant reruns the fixtures that
# cover its file. Usage:  perf/mutation.sh [kernels|model|data]...   (default: all three groups)
# Reports: perf/mutation/out/<group>/<time>/reports/mutation-report.{html,json}; the score is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(kernels model data)
for group in "${groups[@]}"; do
  case "$group" in
    kernels) project=src/Kernels ;;
    model) project=src/Model ;;
    data) project=src/Data ;;
    *) echo "unknown group '$group' (kernels, model or data)" >&2; exit 2 ;;
  esac
  out="$(pwd)/perf/mutation/out/$group"
  mkdir -p "$out"
  echo "mutation: $group ($project)"
  # Run from the source project's folder; the config names the test project and the fixtures that cover the files.
  (cd "$project" && dotnet tool run dotnet-stryker --config-file "../../perf/mutation/$group.json" --output "$out")
done
