#!/bin/sh
# `make bench-export`: the size of a HalfCheetah policy header (Table C.1's
# 2 × 256 gaussian policy) and the time its act() takes, compiled with
# $CC -O2 (CFLAGS adds options, e.g. CFLAGS=-march=native).  Prints numbers;
# asserts nothing.
set -eu
softrl=${SOFTRL_BIN:?SOFTRL_BIN names the softrl to use}
cc=${CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/softrl-bench-export.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
"$softrl" run halfcheetah-sac --seed 1 -q --out run --set experiment.epochs=1 --set experiment.steps_per_epoch=20 \
  --set experiment.initial_random_steps=20 --set experiment.min_replay_size=20 --set experiment.eval_episodes=1 \
  --set experiment.max_path_length=5 > /dev/null
"$softrl" export run -o cheetah.h --name cheetah
cat > time.c <<'END'
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>
#include "cheetah.h"

static double
now (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int
main (void)
{
  float obs[CHEETAH_OBS_DIM], action[CHEETAH_ACT_DIM];
  double sum = 0, best = 1e30;
  int i, j, r;
  for (i = 0; i < CHEETAH_OBS_DIM; i++)
    obs[i] = 0.1f * (float) (i % 7) - 0.3f;
  for (r = 0; r < 5; r++)
    {
      const int calls = 20000;
      double t0 = now (), t;
      for (j = 0; j < calls; j++)
        {
          obs[j % CHEETAH_OBS_DIM] += 1e-3f;
          cheetah_act (obs, action);
          sum += action[0];
        }
      t = (now () - t0) / calls;
      if (t < best)
        best = t;
    }
  printf ("act: %.2f us per call (best of 5 rounds of 20000; checksum %g)\n", best * 1e6, sum);
  return 0;
}
END
$cc -std=c99 -O2 ${CFLAGS:-} time.c -o time -lm
echo "HalfCheetah policy header: $(wc -c < cheetah.h) bytes ($(grep -c 'static const float' cheetah.h) weight arrays), $cc -O2 ${CFLAGS:-}"
./time
