#!/bin/sh
# The bash completion (completion/softrl), run by bash against the
# softrl built here: commands, options of a command, plugin names of each
# kind, experiment names, bench's subjects.  Prints TAP.
set -u
softrl=${SOFTRL_BIN:?SOFTRL_BIN names the softrl to test}
script=${SOFTRL_TEST_SRCDIR:?SOFTRL_TEST_SRCDIR names the source tree}/completion/softrl
if ! command -v bash > /dev/null; then
  echo "1..0 # SKIP no bash"
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/softrl-completion.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" && ln -s "$softrl" "$work/bin/softrl"
cd "$work" || exit 1

n=0
failed=0
# expect "WORDS…" "EXPECTED…": the completions of the last word must be
# exactly EXPECTED (sorted, space-separated).
expect () {
  n=$((n + 1))
  got=$(PATH="$work/bin:$PATH" bash -c '
    source "$1"; shift
    COMP_WORDS=($1); [[ $1 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
    _softrl
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"' bash "$script" "$1" 2>&1)
  if [ "$got" = "$2" ]; then
    echo "ok $n - softrl completes \"$1\" to: $2"
  else
    failed=1
    echo "not ok $n - softrl completes \"$1\""
    echo "# expected: $2"
    echo "# got:      $got"
  fi
}

expect "softrl ex" "experiments export"
expect "softrl su" "summarize"
expect "softrl export --" "--help --name --out"
expect "softrl eval --det" "--deterministic"
expect "softrl run --re" "--resume"
expect "softrl run pendulum-sac-" "pendulum-sac-auto pendulum-sac-deterministic pendulum-sac-lsp"
expect "softrl sweep ablation-ta" "ablation-target-entropy ablation-tau"
expect "softrl plugins real" "realnvp"
expect "softrl env half" "halfcheetah"
expect "softrl bench " "all env memory pendulum products torch update"
expect "softrl bench env swim" "swimmer"
expect "softrl bench update -a sac" "sac sac-auto"
expect "softrl bench update --sampler g" "gaussian"
expect "softrl compose --mode " "mean sum"
echo "1..$n"
exit $failed
