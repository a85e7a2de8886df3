#!/usr/bin/env bash
# GPU readiness check for GAN Lessons: run once on a machine with a CUDA GPU, from the repository root.
usage() {
  cat <<'EOF'
Usage: benchmarks/gpu_check.sh [--python PATH] [--budget SECONDS] [--tests "FILES"] [--quick] [--help]

Runs, on a CUDA machine, everything the CPU build machine cannot:
  1. the tests with a GPU present (the CUDA path of the tests: device choice, training,
     checkpoints, sampling, the CLI and torchrun on cuda), in quick mode;
  2. the time-to-quality benchmark with --device cuda, AMP (bf16 autocast) off and on;
  3. the CLI trained data-parallel under torchrun on 1 GPU (nccl), and on 2 GPUs when two are present,
     with the DDP throughput benchmark;
and prints one table: check, result, numbers. Exit status 0 when every check passed.

Options:
  --python PATH     the Python to use (default: .venv/bin/python, else python3)
  --budget SECONDS  training seconds of each time-to-quality run (default 60)
  --tests "FILES"   test files to run (default: the ones with a CUDA path; "tests" for all)
  --quick           a few seconds per benchmark: checks that everything runs
  --log DIR         keep the logs in DIR (default: a new temporary folder)
  --help            this text
EOF
}

PY=""
BUDGET=60
QUICK=""
LOG=""
TESTS="tests/test_config.py tests/test_models.py tests/test_train.py tests/test_checkpoint.py tests/test_cli.py tests/test_distributed.py tests/test_metrics.py"
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --python) PY="$2"; shift 2 ;;
    --budget) BUDGET="$2"; shift 2 ;;
    --tests) TESTS="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --log) LOG="$2"; shift 2 ;;
    *) echo "gpu_check.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.." || exit 2
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=agg

NGPU=$("$PY" -c "import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)" 2>/dev/null || echo 0)
if [ "$NGPU" = "0" ]; then
  echo "gpu_check.sh: no CUDA GPU visible to $PY (torch.cuda.is_available() is False); nothing to check." >&2
  exit 1
fi
GPU=$("$PY" -c "import torch; print(torch.cuda.get_device_name(0))")
if [ -n "$LOG" ]; then mkdir -p "$LOG" || exit 2; else LOG=$(mktemp -d); fi
ROWS=()
FAILED=0
row() { ROWS+=("$(printf '%-44s %-6s %s' "$1" "$2" "$3")"); [ "$2" = "FAIL" ] && FAILED=1; return 0; }

echo "== $NGPU x $GPU; logs in $LOG"

# 1. The tests, with a GPU present (quick mode; the browser test needs its own setup and is left out).
echo "== tests (quick mode, GPU present): $TESTS ..."
# shellcheck disable=SC2086
if GAN_LESSONS_QUICK=1 "$PY" -m pytest -q -p no:cacheprovider -o addopts="" $TESTS --ignore=tests/test_browser.py >"$LOG/tests.txt" 2>&1; then
  row "tests, quick mode, GPU present" ok "$(tail -n 1 "$LOG/tests.txt")"
else
  row "tests, quick mode, GPU present" FAIL "$(grep -E 'passed|failed' "$LOG/tests.txt" | tail -n 1) (see $LOG/tests.txt)"
fi

# 2. Time to quality on the GPU, AMP off and on.
TTQ=(--methods course --device cuda --budget "$BUDGET")
[ -n "$QUICK" ] && TTQ=(--methods course --device cuda --quick)
for amp in off on; do
  flag=(); [ "$amp" = on ] && flag=(--amp)
  echo "== time to quality, cuda, AMP $amp ..."
  if "$PY" benchmarks/time_to_quality.py "${TTQ[@]}" "${flag[@]}" >"$LOG/ttq_$amp.txt" 2>&1; then
    speed=$(grep -m1 '^== course' "$LOG/ttq_$amp.txt" | sed -E 's/.*: ([0-9,]+ img\/s).*/\1/')
    last=$(grep -E '^ +[0-9]+ +[0-9,]+ +[0-9.]+' "$LOG/ttq_$amp.txt" | tail -n 1 | awk '{print "FID " $3 " at " $1 " s, " $7 " classes"}')
    row "time to quality, cuda, AMP $amp" ok "$speed; $last"
  else
    row "time to quality, cuda, AMP $amp" FAIL "see $LOG/ttq_$amp.txt"
  fi
done

# 3. DDP on the GPUs (nccl): the CLI under torchrun, then the throughput benchmark.
for n in 1 2; do
  if [ "$n" -gt "$NGPU" ]; then
    row "torchrun CLI, $n GPUs (nccl)" skip "only $NGPU GPU(s) here"
    continue
  fi
  echo "== torchrun CLI on $n GPU(s) ..."
  out="$LOG/ddp$n"
  if "$PY" -m torch.distributed.run --standalone --nproc_per_node="$n" -m gan_lessons train --device cuda \
      --epochs 2 --out "$out" --no-progress >"$LOG/ddp$n.txt" 2>&1 \
      && "$PY" -m gan_lessons sample "$out/checkpoint.pt" --n 16 --out "$out/s.png" >>"$LOG/ddp$n.txt" 2>&1; then
    detail=$(grep -E 'Weights|FID \(LeNet' "$LOG/ddp$n.txt" | tr '\n' ' ')
    [ "$n" = 1 ] && detail="(one process: plain training) $(grep -E 'FID \(LeNet' "$LOG/ddp$n.txt")"
    row "torchrun CLI, $n GPUs (nccl)" ok "$detail"
  else
    row "torchrun CLI, $n GPUs (nccl)" FAIL "see $LOG/ddp$n.txt"
  fi
done
if [ "$NGPU" -ge 2 ]; then
  echo "== DDP throughput, 1 vs 2 GPUs ..."
  secs=30; [ -n "$QUICK" ] && secs=3
  if "$PY" benchmarks/ddp_throughput.py --device cuda --nproc 2 --seconds "$secs" >"$LOG/ddp_tp.txt" 2>&1; then
    row "DDP throughput, 1 vs 2 GPUs" ok "$(grep -E '^ +[12] x' "$LOG/ddp_tp.txt" | awk '{print $1 " proc: " $NF " img/s"}' | tr '\n' ' ')"
  else
    row "DDP throughput, 1 vs 2 GPUs" FAIL "see $LOG/ddp_tp.txt"
  fi
fi

echo
echo "GPU check: $NGPU x $GPU, torch $("$PY" -c 'import torch; print(torch.__version__)')"
printf '%-44s %-6s %s\n' check result numbers
printf '%s\n' "${ROWS[@]}"
exit $FAILED
