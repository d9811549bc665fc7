#!/bin/sh
# softrl export: tiny runs of every exportable kind (sac with the gaussian,
# sac-auto with realnvp on one and two actions, sql with svgd, ddpg, td3)
# are exported, each header is compiled with -std=c99 -Wall -Werror
# -pedantic into a small program, and its actions must equal softrl's
# deterministic ones (softrl eval --actions-for) on the same observations to
# 1e-5.  An algorithm export does not know (lsp) is refused with exit 2, and
# a HalfCheetah header (2 × 256) stays under 1 MiB.  Prints TAP.
set -u
softrl=${SOFTRL_BIN:?SOFTRL_BIN names the softrl to test}
cc=${SOFTRL_TEST_CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/softrl-export.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for line in "$@"; do echo "# $line"; done; }

# A tiny experiment: a few hundred steps, a few dozen updates.
experiment () { # FILE ENV ALGORITHM [EXTRA-LINES]
  cat > "$1" <<EOF
[experiment]
epochs = 1
steps_per_epoch = 300
eval_episodes = 1
initial_random_steps = 100
min_replay_size = 100
max_path_length = 50
[env]
plugin = $2
[algorithm]
plugin = $3
batch_size = 16
hidden_sizes = 8;8
$4
EOF
}

# The program that acts through the header: observation rows on stdin,
# action rows on stdout.
driver () { # NAME
  upper=$(echo "$1" | tr a-z A-Z)
  cat > "$1-act.c" <<EOF
#include <stdio.h>
#include "$1.h"

int
main (void)
{
  float obs[${upper}_OBS_DIM], action[${upper}_ACT_DIM];
  int i, j;
  for (;;)
    {
      for (i = 0; i < ${upper}_OBS_DIM; i++)
        if (scanf (" %f ,", &obs[i]) != 1)
          return 0;
      $1_act (obs, action);
      for (j = 0; j < ${upper}_ACT_DIM; j++)
        printf ("%s%.9g", j ? "," : "", action[j]);
      printf ("\n");
    }
}
EOF
}

# Observation rows: 40 of `dim` values in [-4, 4], some far outside the
# training data, so that the squash and the action clamp saturate too.
observations () { # DIM
  awk -v dim="$1" 'BEGIN { srand (7); for (r = 0; r < 40; r++) { line = ""; for (i = 0; i < dim; i++)
    line = line (i ? "," : "") sprintf ("%.6f", (rand () * 2 - 1) * (r < 30 ? 4 : 40)); print line } }'
}

check_kind () { # NAME ENV ALGORITHM OBS-DIM SAMPLER-LINES
  name=$1
  experiment "$name.ini" "$2" "$3" "$5"
  if ! out=$("$softrl" run "$name.ini" --seed 3 -q --out "run-$name" 2>&1); then
    not_ok "$name: training the tiny run" "$out"
    return
  fi
  if ! out=$("$softrl" export "run-$name" -o "$name.h" --name "$name" 2>&1); then
    not_ok "$name: export" "$out"
    return
  fi
  driver "$name"
  if ! out=$("$cc" -std=c99 -Wall -Werror -pedantic -O2 "$name-act.c" -o "$name-act" -lm 2>&1); then
    not_ok "$name: the header compiles with -std=c99 -Wall -Werror -pedantic" "$out"
    return
  fi
  observations "$4" > "$name-obs.csv"
  "$softrl" eval "run-$name" --actions-for "$name-obs.csv" > "$name-softrl.csv" || { not_ok "$name: eval --actions-for"; return; }
  "./$name-act" < "$name-obs.csv" > "$name-header.csv"
  worst=$(paste -d, "$name-softrl.csv" "$name-header.csv" | awk -F, -v half="$(( $(head -1 "$name-softrl.csv" | tr -cd , | wc -c) + 1 ))" '
    { for (j = 1; j <= half; j++) { d = $j - $(j + half); if (d < 0) d = -d; if (d > worst) worst = d }; rows++ }
    END { if (rows != 40) print "rows", rows; else printf "%.3g\n", worst }')
  if awk -v w="$worst" 'BEGIN { exit !(w ~ /^[0-9.e+-]+$/ && w + 0 <= 1e-5) }'; then
    ok "$name: header actions equal softrl's deterministic actions (largest difference $worst)"
  else
    not_ok "$name: header actions differ from softrl's (largest difference $worst)" \
      "softrl: $(head -3 "$name-softrl.csv" | tr '\n' ' ')" "header: $(head -3 "$name-header.csv" | tr '\n' ' ')"
  fi
}

check_kind gaussian pendulum sac 3 "[sampler]
plugin = gaussian
hidden_sizes = 8;8"
check_kind realnvp multigoal sac-auto 2 "[sampler]
plugin = realnvp
hidden_sizes = 8;8
coupling_layers = 3
coupling_hidden_sizes = 4;3
embedding_nl = tanh
max_log_scale = 2"
check_kind realnvp1 pendulum sac-auto 3 "[sampler]
plugin = realnvp
hidden_sizes = 8"
check_kind svgd multigoal sql 2 "[sampler]
plugin = svgd
hidden_sizes = 8;8"
check_kind ddpg pendulum ddpg 3 ""
check_kind td3 pendulum td3 3 ""

# An algorithm whose policy export does not know: refused, exit 2, named.
experiment lsp.ini pendulum lsp "layers =
[sampler]
plugin = realnvp
hidden_sizes = 8"
"$softrl" run lsp.ini -q --out run-lsp > /dev/null 2>&1
out=$("$softrl" export run-lsp -o lsp.h 2>&1)
status=$?
if [ $status -eq 2 ] && echo "$out" | grep -q '"lsp"' && [ ! -e lsp.h ]; then
  ok "lsp is refused with exit 2, naming the algorithm"
else
  not_ok "lsp is refused with exit 2, naming the algorithm (got $status)" "$out"
fi

# A header for HalfCheetah's policy (Table C.1's 2 × 256): under 1 MiB.
# Random steps only: the size does not depend on training.
if out=$("$softrl" run halfcheetah-sac --seed 1 -q --out run-cheetah --set experiment.epochs=1 \
           --set experiment.steps_per_epoch=20 --set experiment.initial_random_steps=20 \
           --set experiment.min_replay_size=20 --set experiment.eval_episodes=1 \
           --set experiment.max_path_length=5 2>&1) \
   && out=$("$softrl" export run-cheetah -o cheetah.h --name cheetah 2>&1); then
  size=$(wc -c < cheetah.h)
  if [ "$size" -lt 1048576 ]; then
    ok "HalfCheetah's header is $size bytes (< 1 MiB)"
  else
    not_ok "HalfCheetah's header is $size bytes (not < 1 MiB)"
  fi
else
  not_ok "HalfCheetah run and export" "$out"
fi

echo "1..$n"
exit $failed
