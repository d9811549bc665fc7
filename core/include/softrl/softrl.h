/* softrl — umbrella header: everything a plugin or a tool needs.
 *
 *     #include <softrl/softrl.h>
 *
 * Build a plugin against an installed softrl with
 *     cc -shared -fPIC my.c -o my.so $(pkg-config --cflags --libs softrl)
 * and run it with SOFTRL_PLUGIN_PATH=DIR softrl …; plugins/WRITING-PLUGINS.md
 * in the source tree walks through writing one.  Each header documents its
 * types and functions: who owns and frees what, how long pointers stay
 * valid, what allocates, threading and errors.
 */
#ifndef SOFTRL_SOFTRL_H
#define SOFTRL_SOFTRL_H

#include <softrl/error.h>
#include <softrl/rng.h>
#include <softrl/param.h>
#include <softrl/state.h>
#include <softrl/nn.h>
#include <softrl/parallel.h>
#include <softrl/replay.h>
#include <softrl/plugin.h>
#include <softrl/env.h>
#include <softrl/sampler.h>
#include <softrl/algorithm.h>
#include <softrl/registry.h>
#include <softrl/experiment.h>

#endif
