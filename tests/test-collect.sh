#!/bin/sh
# results/collect.sh on a tiny Pendulum sweep (two seeds of two epochs) and a
# longer third run given beside it with --steps: the results folder holds
# each run's config.ini, status and progress.csv and nothing else (no
# checkpoint, policy or replay), the longer run cut to the sweep's length
# and grouped with its seeds (3/3 in summary.md), a PNG of the curves, and
# machine.md with a row per run; collected again in place from its own runs/
# (where log.txt and output.txt are not kept), machine.md still names each
# run's machine, host and threads, and the summary does not change.
# Speaks TAP.
set -u
top_srcdir="$(cd "$(dirname "$0")/.." && pwd)"
bin="${SOFTRL_BIN:-$top_srcdir/core/softrl}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/softrl-test-collect-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
check () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}

echo "1..12"
small="experiment.steps_per_epoch = 200
experiment.initial_random_steps = 100
experiment.min_replay_size = 100
experiment.eval_episodes = 1
algorithm.batch_size = 16
algorithm.hidden_sizes = 16\\;16
sampler.hidden_sizes = 16\\;16"
cat >"$tmp/sweep.ini" <<EOF
[sweep]
name = tiny
experiment = $top_srcdir/experiments/pendulum-sac.ini
seeds = 1;2
experiment.epochs = 2
$small
EOF
"$bin" sweep "$tmp/sweep.ini" --out "$tmp/sweep" >"$tmp/sweep.out" 2>&1
check $? "a tiny sweep runs"
"$bin" run "$top_srcdir/experiments/pendulum-sac.ini" -q --seed 3 --out "$tmp/other/pendulum-sac-seed3" \
  --set experiment.name=pendulum-sac --set experiment.epochs=3 --set experiment.steps_per_epoch=200 \
  --set experiment.initial_random_steps=100 --set experiment.min_replay_size=100 \
  --set experiment.eval_episodes=1 --set algorithm.batch_size=16 --set 'algorithm.hidden_sizes=16;16' \
  --set 'sampler.hidden_sizes=16;16' >/dev/null 2>&1
check $? "a longer run of the same experiment"

SOFTRL="$bin" "$top_srcdir/results/collect.sh" --steps 400 "$tmp/sweep" "$tmp/results" \
  "$tmp/other/pendulum-sac-seed3" >"$tmp/collect.out" 2>&1
check $? "collect.sh succeeds"

listing="$(cd "$tmp/results" && find . -type f | sort | tr '\n' ' ')"
expected="./curves-pendulum.png ./machine.md ./runs/pendulum-sac-seed1/config.ini ./runs/pendulum-sac-seed1/origin ./runs/pendulum-sac-seed1/progress.csv ./runs/pendulum-sac-seed1/status ./runs/pendulum-sac-seed2/config.ini ./runs/pendulum-sac-seed2/origin ./runs/pendulum-sac-seed2/progress.csv ./runs/pendulum-sac-seed2/status ./runs/pendulum-sac-seed3/config.ini ./runs/pendulum-sac-seed3/origin ./runs/pendulum-sac-seed3/progress.csv ./runs/pendulum-sac-seed3/status ./summary.csv ./summary.md "
[ "$listing" = "$expected" ]
check $? "exactly the expected files (got: $listing)"

steps="$(cut -d, -f2 "$tmp/results/runs/pendulum-sac-seed3/progress.csv" | tail -n +2 | tr '\n' ' ')"
[ "$steps" = "200 400 " ]
check $? "the longer run cut to its first 400 steps (env_steps: $steps)"

grep -q '^epochs = 2$' "$tmp/results/runs/pendulum-sac-seed3/config.ini" &&
  grep -q '^# collect.sh: progress.csv holds this run.s first 400 environment steps' \
    "$tmp/results/runs/pendulum-sac-seed3/config.ini"
check $? "its config.ini says so and has epochs = 2"

grep -q '^| pendulum-sac | 3/3 |' "$tmp/results/summary.md"
check $? "summary.md groups the three seeds"

[ "$(head -c 8 "$tmp/results/curves-pendulum.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]
check $? "curves-pendulum.png is a PNG"

host="$(hostname)"
machine_rows () {
  rows="$(grep -c "^| pendulum-sac-seed[123] | M1 | $host | " "$1")"
  [ "$rows" = 3 ] && grep -q '^| machine M1 | .*OpenBLAS' "$1" &&
    grep -q "^| pendulum-sac-seed3 | M1 | $host | [^|]* | 1 | 400 | " "$1"
}
machine_rows "$tmp/results/machine.md"
check $? "machine.md: the machine with its BLAS, and a row per run with its host, threads (from its log) and steps"

cp "$tmp/results/summary.md" "$tmp/summary.before"
SOFTRL="$bin" "$top_srcdir/results/collect.sh" "$tmp/results/runs" "$tmp/results" >"$tmp/again.out" 2>&1
check $? "collected again in place from the results' own runs/"
machine_rows "$tmp/results/machine.md" && cmp -s "$tmp/summary.before" "$tmp/results/summary.md" &&
  [ "$(find "$tmp/results" -type f | wc -l)" = 16 ]
check $? "machine, host and threads kept from each run's origin, the same summary, no file added"

SOFTRL="$bin" "$top_srcdir/results/collect.sh" --steps 4x "$tmp/sweep" "$tmp/bad" >/dev/null 2>&1
status=$?
[ $status = 2 ] && [ ! -e "$tmp/bad" ]
check $? "a bad --steps is refused with status 2 and nothing written (status $status)"

exit $failed
