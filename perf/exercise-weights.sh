#!/usr/bin/env bash
# The exercise's job (simd, seed 1) and the SHA-256 of the parameter tensor in its model.ckpt, so that a refactor can
# show bit-identical weights: run it before and after and compare the hashes (and the AUC line). The hash depends on
# the SIMD width (AVX-512 here: 0591ab8c…9ab9, AUC 0.9887, recorded 2026-12-01 before issue 11's refactor).
# Usage: perf/exercise-weights.sh [expected-hash]   (exit 1 when an expected hash is given and differs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
dotnet run -c Release --project src/Host -- --accelerator simd --seed 1 --quiet --runs "$runs" | grep -E '^(accelerator|AUC|training) '
hash=$(python3 - "$runs"/*/model.ckpt <<'PY'
import hashlib, struct, sys
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'GSIAMCKP', 'not a checkpoint'
p = b[20:]                                   # after magic, version, payload length
length, shift, at = 0, 0, 0                  # the network comes first: its spelling (7-bit length prefix), then a flag
while True:
    byte = p[at]; at += 1
    length |= (byte & 0x7F) << shift; shift += 7
    if byte < 0x80: break
w = [int(x) for x in p[at:at + length].decode().split(',')]   # the exercise's network is spelled as its widths
n = len(w)
count = sum(w[i] * w[i + 1] + w[i + 1] for i in range(n - 1))
off = p.index(struct.pack('<i', count), at + length + 1)   # the parameter tensor's length prefix
print(hashlib.sha256(p[off + 4: off + 4 + 4 * count]).hexdigest())
PY
)
echo "parameters sha256 $hash"
if [[ $# -ge 1 && "$1" != "$hash" ]]; then echo "differs from $1" >&2; exit 1; fi
