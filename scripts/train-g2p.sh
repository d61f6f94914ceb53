#!/usr/bin/env bash
# G2P on CMUdict, the figures of docs/seq2seq.md: the held-out split (letters-only words, first
# pronunciation, stress removed, 10% by a hash of the word), an encoder–decoder trained for a time
# budget, and its test scores with greedy search and beam search of width 5, then the decoding speed.
# Usage: npm run build && scripts/train-g2p.sh   (OUT=runs/g2p MINUTES=105 THREADS=2 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/g2p}
MINUTES=${MINUTES:-105}
THREADS=${THREADS:-2}
mkdir -p "$OUT"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "node: $(node --version)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') × $(nproc)"
  echo "git: $(git rev-parse --short HEAD)"
  echo "threads: $THREADS, budget: $MINUTES minutes"
} > "$OUT/machine.txt"
nerva() { node dist/src/cli/main.js "$@"; }
nerva g2p split -o "$OUT"
nerva seq2seq train "$OUT/train.tsv" --tgt-level space -o "$OUT/model" --hidden 256 --layers 2 \
  --batch-size 128 --lr 0.003 --epochs 12 --minutes "$MINUTES" --threads "$THREADS" 2>&1 | grep -v '░' | tee "$OUT/train.txt"
nerva seq2seq eval "$OUT/model" "$OUT/test.tsv" --threads 1 2>&1 | grep -v '░' | tee "$OUT/eval-greedy.txt"
nerva seq2seq eval "$OUT/model" "$OUT/test.tsv" --beam 5 --threads 1 2>&1 | grep -v '░' | tee "$OUT/eval-beam5.txt"
node dist/bench/seq2seq.js --model "$OUT/model" --pairs "$OUT/test.tsv" --words 2000 --threads 1 | tee "$OUT/speed.txt"
