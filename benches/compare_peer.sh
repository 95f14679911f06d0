#!/usr/bin/env bash
# Side-by-side fit time against proto-dist-ml's MGLVQ on the very same matrix, in one
# run: writes a seeded 10,000 x 10,000 squared-Euclidean matrix (5 classes, 20
# features) as .npy, fits it here (f64 and f32, 3 prototypes per class), then times
# the peer on it and prints the ratio. Needs ../shared/tools/peer (see its README).
# Usage: bash benches/compare_peer.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
py="$(bash ../shared/tools/peer/setup.sh)"
cargo build --release --example scale -q
ours64=$(target/release/examples/scale --n "$n" --p 20 --classes 5 --k 3 --source matrix --npy "$dir" | tail -1)
ours32=$(target/release/examples/scale --n "$n" --p 20 --classes 5 --k 3 --source matrix --precision f32 | tail -1)
peer=$("$py" ../shared/tools/peer/mglvq_fit.py --matrix "$dir/D.npy" --labels "$dir/y.npy" --k 3 | tail -1)
echo "ours f64: $ours64"
echo "ours f32: $ours32"
echo "proto-dist-ml: $peer"
field() { grep -oE "$1=[0-9.]+" <<<"$2" | head -1 | cut -d= -f2; }
t64=$(field fit_seconds "$ours64"); t32=$(field fit_seconds "$ours32"); tp=$(field fit_seconds_median "$peer")
awk -v p="$tp" -v a="$t64" -v b="$t32" 'BEGIN { printf "proto-dist-ml %.2f s; ours f64 %.3f s (%.0fx), f32 %.3f s (%.0fx)\n", p, a, p / a, b, p / b }'
