#!/usr/bin/env bash
# The LeNet-5 measurements of docs/results-cnn.md: full MNIST / Fashion-MNIST runs with the
# defaults of `nerva train` (Adam 1e-3, cosine schedule, batch 64, seed 0, 5 epochs).
# Each run writes runs/measure/<name>/{log.jsonl,curves.png,confusion.png,checkpoint.safetensors}
# and its console output to runs/measure/<name>.txt. Usage: npm run build && scripts/measure-cnn.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/measure}
BACKEND=${BACKEND:-wasm}
# The first figures in docs/results-cnn.md were measured on 1 thread (THREADS=1), before the
# 2-thread race in the wasm pool was fixed (1f3d070); THREADS=2 uses both cores.
THREADS=${THREADS:-2}
mkdir -p "$OUT"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "node: $(node --version)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') × $(nproc)"
  echo "git: $(git rev-parse --short HEAD)"
  echo "backend: $BACKEND, threads: $THREADS"
} > "$OUT/machine.txt"
run() {
  local name=$1; shift
  echo "== $name: nerva train $*" | tee "$OUT/$name.txt"
  /usr/bin/time -v node dist/src/cli/main.js train "$@" --backend "$BACKEND" --threads "$THREADS" --out "$OUT/$name" 2>&1 | grep -v '░' | tee -a "$OUT/$name.txt"
}
run lenet5-mnist lenet5 --dataset mnist --epochs 5
run lenet5-classic-mnist lenet5-classic --dataset mnist --epochs 5
run lenet5-fashion-mnist lenet5 --dataset fashion-mnist --epochs 5
# Fashion-MNIST needs longer than 5 epochs to pass 89% with this recipe
run lenet5-fashion-mnist-10ep lenet5 --dataset fashion-mnist --epochs 10
# a second seed of each MNIST figure: how much of the margin is luck
if [ "${SEEDS:-1}" = 1 ]; then
  run lenet5-mnist-seed1 lenet5 --dataset mnist --epochs 5 --seed 1
  run lenet5-classic-mnist-seed1 lenet5-classic --dataset mnist --epochs 5 --seed 1
fi
