#!/bin/sh
# The manual page man/softrl.1 (written by hand) against the program: every
# command `softrl --help` lists has a section, every long option of its
# --help is documented there, and groff formats the page without a warning.
# Also each command's --help itself: its usage line reads "softrl COMMAND
# [OPTION…]" in a UTF-8 locale.
# Prints TAP.
set -u
softrl=${SOFTRL_BIN:?SOFTRL_BIN names the softrl to test}
page=${SOFTRL_TEST_BUILDDIR:?SOFTRL_TEST_BUILDDIR names the build tree}/man/softrl.1
n=0
failed=0
commands=$("$softrl" --help | awk '/^Commands:/ { on = 1; next } on && NF == 0 { on = 0 } on { print $1 }')
for command in $commands; do
  n=$((n + 1))
  # The command's section: from its .SS line to the next section.
  section=$(awk -v c="softrl $command" 'index($0, ".SS \"" c) == 1 { on = 1; next } on && /^\.S[SH]/ { on = 0 } on' "$page")
  missing=
  for option in $("$softrl" "$command" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u | grep -v -x -- --help); do
    escaped=$(printf '%s' "$option" | sed 's/-/\\\\-/g')
    printf '%s\n' "$section" | grep -q -- "$escaped" || missing="$missing $option"
  done
  if [ -z "$section" ]; then
    failed=1; echo "not ok $n - softrl.1 has no section for softrl $command"
  elif [ -n "$missing" ]; then
    failed=1; echo "not ok $n - softrl.1's section on softrl $command lacks$missing"
  else
    echo "ok $n - softrl.1 documents softrl $command and each of its options"
  fi
done
# Each command's usage line names the program and, in a UTF-8 locale, ends
# its option list with "…".
for command in $commands; do
  n=$((n + 1))
  usage=$(LC_ALL=C.UTF-8 "$softrl" "$command" --help | sed -n 2p)
  case $usage in
    "  softrl $command [OPTION…]"*) echo "ok $n - softrl $command --help: $usage" ;;
    *) failed=1; echo "not ok $n - softrl $command --help's usage line: $usage" ;;
  esac
done
n=$((n + 1))
if command -v groff > /dev/null; then
  warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
  if [ -z "$warnings" ]; then
    echo "ok $n - groff formats softrl.1 without a warning"
  else
    failed=1; echo "not ok $n - groff warns about softrl.1"; printf '%s\n' "$warnings" | sed 's/^/# /'
  fi
else
  echo "ok $n # SKIP groff is not installed"
fi
echo "1..$n"
exit $failed
