#!/bin/sh
# `make installcheck`: softrl as installed, from a staged prefix.
#
# The build tree is installed with `make install DESTDIR=STAGE`; then, from
# an empty directory and with no SOFTRL_* variable set, the staged softrl
# must find its plugins, its shipped experiments (by name, the current
# directory first) and its data (MuJoCo models, the PyTorch script) in the
# staged tree; the manual page and the bash completion must be installed and
# work.  LD_LIBRARY_PATH names the staged libdir: the program's run path is
# the configured libdir, where nothing is installed yet.
# Usage (from make): installcheck.sh MAKE BUILDDIR BINDIR LIBDIR PKGLIBDIR PKGDATADIR MANDIR COMPLETIONDIR CC
set -u
make=$1 builddir=$2 bindir=$3 libdir=$4 pkglibdir=$5 pkgdatadir=$6 mandir=$7 completiondir=$8 cc=$9
work=$(mktemp -d "${TMPDIR:-/tmp}/softrl-installcheck.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
stage=$work/stage
failed=0
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done; }

if ! out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$make" -s -C "$builddir" install DESTDIR="$stage" 2>&1); then
  not_ok "make install DESTDIR=$stage" "$out"
  echo "1..$n"
  exit 1
fi
ok "make install DESTDIR=$stage"

unset SOFTRL_PLUGIN_PATH SOFTRL_PLUGIN_SYSTEM_PATH SOFTRL_DATA_PATH SOFTRL_TORCH_BENCH
LD_LIBRARY_PATH=$stage$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
softrl=$stage$bindir/softrl
mkdir "$work/here" && cd "$work/here" || exit 1

# check DESCRIPTION COMMAND…: the command must succeed; its output is in $out.
check () {
  what=$1
  shift
  if out=$("$@" 2>&1); then
    return 0
  fi
  not_ok "$what" "$*" "$out"
  return 1
}

if check "softrl experiments" "$softrl" experiments; then
  if printf '%s\n' "$out" | grep -q '^pendulum-sac  *Soft actor-critic with a fixed temperature'; then
    ok "softrl experiments lists pendulum-sac with its first comment line"
  else
    not_ok "softrl experiments lists pendulum-sac with its first comment line" "$out"
  fi
fi
if check "softrl experiments --paths" "$softrl" experiments --paths; then
  if printf '%s\n' "$out" | grep -q " $stage$pkgdatadir/experiments/pendulum-sac.ini\$" \
     && ! printf '%s\n' "$out" | grep -q "$builddir"; then
    ok "the experiments are the staged ones"
  else
    not_ok "the experiments are the staged ones" "$out"
  fi
fi
if check "softrl plugins" "$softrl" plugins; then
  if printf '%s\n' "$out" | grep -q "$stage$pkglibdir/sac.so" && ! printf '%s\n' "$out" | grep -q "$builddir"; then
    ok "the plugins are the staged ones, found without SOFTRL_PLUGIN_PATH"
  else
    not_ok "the plugins are the staged ones, found without SOFTRL_PLUGIN_PATH" "$out"
  fi
fi

# A short run of experiment $1 into directory $2.
run_short () {
  "$softrl" run "$1" -q --seed 1 --out "$2" --set experiment.epochs=1 --set experiment.initial_random_steps=100 \
    --set experiment.min_replay_size=100 --set experiment.eval_episodes=1 --set algorithm.batch_size=16 \
    --set 'algorithm.hidden_sizes=8;8' --set 'sampler.hidden_sizes=8;8'
}
check "softrl run pendulum-sac (by name)" run_short pendulum-sac by-name \
  && ok "softrl run pendulum-sac trains the shipped experiment"
check "softrl run pendulum-sac.ini" run_short pendulum-sac.ini by-file \
  && ok "softrl run pendulum-sac.ini trains the shipped experiment"
# A file of the same name in the current directory comes first.
sed 's/^steps_per_epoch = .*/steps_per_epoch = 123/' "$stage$pkgdatadir/experiments/pendulum-sac.ini" > pendulum-sac.ini
if check "softrl run pendulum-sac with ./pendulum-sac.ini" run_short pendulum-sac local; then
  if grep -q '^steps_per_epoch *= *123' local/config.ini; then
    ok "the current directory's pendulum-sac.ini comes before the shipped one"
  else
    not_ok "the current directory's pendulum-sac.ini comes before the shipped one" "$(grep steps_per_epoch local/config.ini)"
  fi
fi
rm -f pendulum-sac.ini
check "softrl sweep ablation-tau --list" "$softrl" sweep ablation-tau --list --out sweep \
  && ok "softrl sweep ablation-tau --list finds the shipped sweep and its experiment"
check "softrl env halfcheetah" "$softrl" env halfcheetah -n 20 \
  && ok "softrl env halfcheetah finds the staged MuJoCo model"
if check "softrl export" "$softrl" export by-name -o policy.h --name pendulum \
   && check "the exported header compiles" "$cc" -std=c99 -Wall -Werror -pedantic -c -x c policy.h -o policy.o; then
  ok "softrl export writes a header that compiles"
fi
if check "softrl bench torch" "$softrl" bench torch --json -r 1 -s 1; then
  if printf '%s\n' "$out" | grep -q 'not found'; then
    not_ok "softrl bench torch finds the installed torch_sac_update.py" "$out"
  else
    ok "softrl bench torch finds the installed torch_sac_update.py ($(printf '%s' "$out" | tr '\n' ' '))"
  fi
fi
if LC_ALL=C.UTF-8 "$softrl" eval --help | grep -q '^  softrl eval \[OPTION…\] RUNDIR$'; then
  ok "softrl eval --help names the program and prints … in a UTF-8 locale"
else
  not_ok "softrl eval --help names the program and prints … in a UTF-8 locale" "$(LC_ALL=C.UTF-8 "$softrl" eval --help | head -3)"
fi

page=$stage$mandir/man1/softrl.1
if [ -f "$page" ] && ! grep -q '@[A-Z]*@' "$page" && grep -q "$pkgdatadir/experiments" "$page"; then
  ok "softrl.1 is installed with its paths filled in"
else
  not_ok "softrl.1 is installed with its paths filled in" "$page"
fi
if command -v man > /dev/null && LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>&1 | grep -q 'softrl export RUNDIR -o FILE.h'; then
  ok "man -l shows softrl.1"
elif ! command -v man > /dev/null; then
  ok "man -l shows softrl.1 # SKIP no man"
else
  not_ok "man -l shows softrl.1"
fi
completion=$stage$completiondir/softrl
mkdir -p "$work/bin" && ln -sf "$softrl" "$work/bin/softrl"
got=$(PATH="$work/bin:$PATH" bash -c 'source "$1"; COMP_WORDS=(softrl run pendulum-sac-a); COMP_CWORD=2; _softrl;
  echo "${COMPREPLY[*]}"' bash "$completion" 2>&1)
if [ "$got" = "pendulum-sac-auto" ]; then
  ok "the installed bash completion completes experiment names"
else
  not_ok "the installed bash completion completes experiment names" "$completion: $got"
fi
echo "1..$n"
exit $failed
