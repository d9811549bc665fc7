#!/bin/sh
# The README's "Exporting a policy" example, run as written (the shell block
# after <!-- export-example -->) with the softrl built here first on PATH:
# it must end by printing a torque within Pendulum's [-2, 2].  Prints TAP.
set -u
softrl=${SOFTRL_BIN:?SOFTRL_BIN names the softrl to test}
readme=${SOFTRL_TEST_SRCDIR:?SOFTRL_TEST_SRCDIR names the source tree}/README.md
work=$(mktemp -d "${TMPDIR:-/tmp}/softrl-readme.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" && ln -s "$softrl" "$work/bin/softrl"
awk '/^<!-- export-example -->$/ { found = 1; next }
     found == 1 && /^```sh$/ { found = 2; next }
     found == 2 && /^```$/ { exit }
     found == 2 { print }' "$readme" > "$work/example.sh"
echo "1..1"
lines=$(wc -l < "$work/example.sh")
if [ "$lines" -ne 5 ]; then
  echo "not ok 1 - README's export example has $lines lines (expected five)"
  exit 1
fi
out=$(cd "$work" && PATH="$work/bin:$PATH" sh -e example.sh 2>&1)
status=$?
torque=$(printf '%s\n' "$out" | sed -n 's/^torque \([-0-9.e+]*\)$/\1/p' | tail -1)
if [ $status -eq 0 ] && [ -n "$torque" ] && awk -v t="$torque" 'BEGIN { exit !(t >= -2 && t <= 2) }'; then
  echo "ok 1 - README's export example runs as written and prints torque $torque"
else
  echo "not ok 1 - README's export example (exit $status)"
  printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
  exit 1
fi
