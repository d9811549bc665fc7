#!/bin/bash
# Gather a finished sweep's results into a results/<study>/ folder:
#
#   results/collect.sh [--steps N] [--threads N] SWEEP_DIR RESULTS_DIR [RUN_DIR...]
#
# RESULTS_DIR/runs/RUN/ gets each run's config.ini, status and progress.csv
# (and a composed run's compose.ini; never checkpoints, policies or replay
# buffers), and an origin file: the host, softrl commit and threads it ran
# with, so that a run collected again later from a results folder (where
# its log and output are not kept) still says where it came from.
# RUN_DIRs named after the sweep join them (runs of another sweep that serve
# this study too, or runs already collected under results/).  SWEEP_DIR may
# be RESULTS_DIR/runs itself: the study is then summarized and drawn again
# from what it holds.
# --steps N keeps the rows of progress.csv with env_steps ≤ N: a longer run
# then stands for its first N steps, its config.ini's [experiment] epochs is
# set to match (with a comment saying so) so that it groups with runs of
# that length, and its status reads finished once it has reached N steps.
# Then RESULTS_DIR gets
#   summary.md, summary.csv  softrl summarize over RESULTS_DIR/runs
#   curves-ENV.png           softrl plot, one figure per environment (composed
#                            runs, which take no environment step, left out)
#   machine.md               processor, cores, OpenBLAS and its kernels, the
#                            softrl version and commit, threads per run and
#                            each run's wall-clock time
# --threads N states the threads each run used when its log.txt does not
# (softrl logs "this process: N threads" each time a run starts or
# resumes; softrl sweep gives each run OPENBLAS_NUM_THREADS=1 unless
# SOFTRL_THREADS or OPENBLAS_NUM_THREADS was set, which is what is written
# without either).
# softrl is $SOFTRL, else the build tree's core/softrl beside this script,
# else the one on PATH.
set -eu

usage () {
  echo "usage: $0 [--steps N] [--threads N] SWEEP_DIR RESULTS_DIR [RUN_DIR...]" >&2
  exit 2
}

die () {
  echo "collect.sh: $*" >&2
  exit 1
}

steps=""
threads=""
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) [ $# -ge 2 ] || usage; steps="$2"; shift 2 ;;
    --threads) [ $# -ge 2 ] || usage; threads="$2"; shift 2 ;;
    --help|-h) sed -n '2,25p' "$0"; exit 0 ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || usage
case "$steps" in ''|*[!0-9]*) [ -z "$steps" ] || { echo "collect.sh: --steps $steps: expected a positive integer" >&2; exit 2; } ;; esac
case "$threads" in ''|*[!0-9]*) [ -z "$threads" ] || { echo "collect.sh: --threads $threads: expected a positive integer" >&2; exit 2; } ;; esac
sweep="$1"
dest="$2"
shift 2
[ -d "$sweep" ] || { echo "collect.sh: $sweep: not a directory" >&2; exit 2; }

here="$(cd "$(dirname "$0")" && pwd)"
if [ -n "${SOFTRL:-}" ]; then
  softrl="$SOFTRL"
elif [ -x "$here/../core/softrl" ]; then
  softrl="$here/../core/softrl"
else
  softrl="$(command -v softrl)" || die "no softrl: set SOFTRL or put it on PATH"
fi

# Value of KEY in [GROUP] of an INI file (the first one), or nothing.
ini_get () {
  awk -v group="[$2]" -v key="$3" '
    /^\[/ { in_group = ($0 == group); next }
    in_group && /^[ \t]*[^#;]/ {
      k = $0; sub(/[ \t]*=.*/, "", k); sub(/^[ \t]*/, "", k)
      if (k == key) { v = $0; sub(/^[^=]*=[ \t]*/, "", v); print v; exit }
    }' "$1"
}

# Column NAME of the last row of a CSV file, or nothing.
csv_last () {
  awk -F, -v name="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
    col && NF >= col { v = $col }
    END { if (col) print v }' "$1"
}

runs=()
for dir in "$sweep"/*/; do
  dir="${dir%/}"
  [ -f "$dir/config.ini" ] && runs+=("$dir")
done
runs+=("$@")
[ ${#runs[@]} -gt 0 ] || die "$sweep holds no run directories (none with a config.ini)"

# This machine, as the runs collected from their own directories ran on it
# (collect.sh runs where the sweep ran).
cpu="$(lscpu | sed -n 's/^Model name:[ \t]*//p' | head -n 1)"
cores="$(lscpu | sed -n 's/^CPU(s):[ \t]*//p' | head -n 1)"
per_core="$(lscpu | sed -n 's/^Thread(s) per core:[ \t]*//p' | head -n 1)"
blas="$("$softrl" bench update --rounds 1 --seconds 0.2 --json 2>/dev/null | sed -n 's/.*"blas":"\([^"]*\)".*/\1/p' | head -n 1)"
this_machine="${cpu:-unknown processor}, ${cores:-?} logical processors (${per_core:-?} per core); ${blas:-BLAS unknown}"

mkdir -p "$dest/runs"
declare -A seen=()
for run in "${runs[@]}"; do
  name="$(basename "$run")"
  [ -f "$run/config.ini" ] || die "$run: no config.ini: not a run directory"
  [ -f "$run/progress.csv" ] || die "$run: no progress.csv"
  [ -z "${seen[$name]:-}" ] || die "two runs named $name ($run and ${seen[$name]})"
  seen[$name]="$run"
  out="$dest/runs/$name"
  mkdir -p "$out"
  in_place=""
  [ "$(cd "$run" && pwd -P)" != "$(cd "$out" && pwd -P)" ] || in_place=1

  # Where the run came from: the origin file of an earlier collection, or
  # else (a run directory, trained on this machine) its log.txt and the
  # output.txt that softrl sweep keeps.
  if [ -f "$run/origin" ] && [ ! -f "$run/log.txt" ]; then
    host="$(sed -n 's/^host=//p' "$run/origin")"
    commit="$(sed -n 's/^commit=//p' "$run/origin")"
    run_threads="$(sed -n 's/^threads=//p' "$run/origin")"
    machine="$(sed -n 's/^machine=//p' "$run/origin")"
  else
    machine="$this_machine"
    # Each process of the run logs "this process: N threads on HOST, …";
    # several thread counts mean the run was resumed with another.
    run_threads="$(sed -n 's/.* this process: \([0-9]*\) thread.*/\1/p' "$run/log.txt" 2>/dev/null | sort -un | paste -sd / -)"
    host="$(sed -n 's/.* this process: [0-9]* threads\{0,1\} on \([^,]*\),.*/\1/p' "$run/log.txt" 2>/dev/null | head -n 1)"
    commit=""
    # "---- DATE TIME started|resumed on HOST: PROGRAM ARGS…"
    header="$(grep -m 1 '^---- ' "$run/output.txt" 2>/dev/null || true)"
    bin="$(printf '%s\n' "$header" | sed -n 's/^---- [0-9-]* [0-9:]* [a-z]* on [^:]*: \([^ ]*\) .*/\1/p')"
    if [ -n "$bin" ] && tree="$(cd "$(dirname "$bin")" 2>/dev/null && git rev-parse --show-toplevel 2>/dev/null)"; then
      commit="$(git -C "$tree" rev-parse --short=12 HEAD)"
      [ -z "$(git -C "$tree" status --porcelain --untracked-files=no -- . ':!results')" ] || commit="$commit+"
    fi
  fi
  printf 'host=%s\ncommit=%s\nthreads=%s\nmachine=%s\n' "${host:-?}" "${commit:-?}" "${run_threads:-${threads:-1?}}" \
    "${machine:-?}" >"$out/origin.new"
  mv "$out/origin.new" "$out/origin"

  if [ -z "$in_place" ]; then
    cp "$run/config.ini" "$out/config.ini"
    if [ -f "$run/status" ]; then cp "$run/status" "$out/status"; else : >"$out/status"; fi
    [ ! -f "$run/compose.ini" ] || cp "$run/compose.ini" "$out/compose.ini"
    cp "$run/progress.csv" "$out/progress.csv"
  fi
  [ -n "$steps" ] || continue
  awk -F, -v max="$steps" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "env_steps") col = i; print; next }
    !col { exit 1 }
    $col + 0 <= max + 0 { print }' "$out/progress.csv" >"$out/progress.csv.new" ||
    die "$run/progress.csv: no env_steps column"
  kept=$(($(wc -l <"$out/progress.csv.new") - 1))
  total=$(($(wc -l <"$out/progress.csv") - 1))
  mv "$out/progress.csv.new" "$out/progress.csv"
  if [ "$kept" -lt "$total" ]; then
    per_epoch="$(ini_get "$out/config.ini" experiment steps_per_epoch)"
    case "$per_epoch" in ''|*[!0-9]*|0) die "$run/config.ini: [experiment] steps_per_epoch is '$per_epoch', expected a positive integer" ;; esac
    epochs=$((steps / per_epoch))
    old_epochs="$(ini_get "$out/config.ini" experiment epochs)"
    {
      echo "# collect.sh: progress.csv holds this run's first $steps environment steps"
      echo "# ($kept of its $total epochs); [experiment] epochs was $old_epochs."
      awk -v epochs="$epochs" '
        /^\[/ { in_group = ($0 == "[experiment]") }
        in_group && /^[ \t]*epochs[ \t]*=/ { print "epochs = " epochs; next }
        { print }' "$out/config.ini"
    } >"$out/config.ini.new"
    mv "$out/config.ini.new" "$out/config.ini"
    last="$(csv_last "$out/progress.csv" env_steps)"
    if [ -n "$last" ] && [ "${last%.*}" -ge "$steps" ]; then
      echo finished >"$out/status"
    fi
  fi
done

# Summaries and curves.
"$softrl" summarize "$dest/runs" >"$dest/summary.txt"
mv "$dest/runs/summary.md" "$dest/runs/summary.csv" "$dest/"
rm -f "$dest/summary.txt"
declare -A env_runs=()
for run in "$dest"/runs/*/; do
  # A composed run trains without environment steps: its curve would be a
  # vertical line at 0; it stays in the summary.
  [ ! -f "$run/compose.ini" ] || continue
  env="$(ini_get "$run/config.ini" env plugin)"
  env_runs[$env]+="${run%/} "
done
for env in "${!env_runs[@]}"; do
  # shellcheck disable=SC2086 # the list is split on purpose (run names hold no spaces)
  "$softrl" plot ${env_runs[$env]} -o "$dest/curves-$env.png" --title "$(basename "$dest"): $env"
done

# The machines and each run's wall-clock time.
version="$("$softrl" --version | head -n 1)"
{
  echo "# Machine and runs: $(basename "$dest")"
  echo
  echo "Collected $(date -u '+%Y-%m-%d %H:%M UTC') from \`$sweep\` by results/collect.sh${steps:+ (--steps $steps)}."
  echo
  # The machines the runs ran on, numbered in the order the runs name them.
  declare -A machine_number=()
  machines=()
  for run in "${runs[@]}"; do
    m="$(sed -n 's/^machine=//p' "$dest/runs/$(basename "$run")/origin")"
    [ -n "${machine_number[$m]:-}" ] && continue
    machines+=("$m")
    machine_number[$m]="M${#machines[@]}"
  done
  echo "| | |"
  echo "|---|---|"
  for m in "${machines[@]}"; do
    echo "| machine ${machine_number[$m]} | $m |"
  done
  echo "| softrl | $version |"
  default_threads="per run in the table below (from each run's log.txt; 1? where it records none: softrl sweep's default)"
  echo "| threads per run | ${threads:-$default_threads} |"
  echo
  echo "Each run's softrl is the program its output.txt names; its commit is that"
  echo "checkout's HEAD when collect.sh ran (+ means uncommitted changes outside results/,"
  echo "where sweep files and collected results may be edited while runs train; ? a run"
  echo "without output.txt, one of softrl run rather than of softrl sweep)."
  echo "A run collected earlier keeps the host, commit, threads and machine of"
  echo "that collection (runs/RUN/origin)."
  echo
  echo "| run | machine | host | softrl commit | threads | env steps | wall-clock | steps/s | hours per 10⁶ steps |"
  echo "|---|---|---|---|---:|---:|---:|---:|---:|"
  for run in "${runs[@]}"; do
    name="$(basename "$run")"
    origin="$dest/runs/$name/origin"
    host="$(sed -n 's/^host=//p' "$origin")"
    commit="$(sed -n 's/^commit=//p' "$origin")"
    run_threads="$(sed -n 's/^threads=//p' "$origin")"
    m="${machine_number[$(sed -n 's/^machine=//p' "$origin")]}"
    progress="$dest/runs/$name/progress.csv"
    env_steps="$(csv_last "$progress" env_steps)"
    wall="$(csv_last "$progress" wall_s)"
    awk -v n="$name" -v m="$m" -v h="${host:-?}" -v c="$commit" -v t="$run_threads" -v s="$env_steps" -v w="$wall" 'BEGIN {
      if (s == "" || w == "" || w + 0 <= 0) { printf "| %s | %s | %s | %s | %s | %s | %s | | |\n", n, m, h, c, t, s, w; exit }
      printf "| %s | %s | %s | %s | %s | %d | %.0f s (%.2f h) | %.1f | %.2f |\n", n, m, h, c, t, s, w, w / 3600,
             s / w, w / 3600 / s * 1e6
    }'
  done
  echo
  echo "Wall-clock is the wall_s of the last collected progress.csv row,"
  echo "measured with whatever else ran on the machine at the time."
} >"$dest/machine.md"

echo "collected ${#runs[@]} runs into $dest: summary.md, summary.csv, curves-*.png, machine.md, runs/"
