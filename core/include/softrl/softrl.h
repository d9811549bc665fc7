/* softrl — umbrella header: everything a plugin or a tool needs.
 *
 *     #include <softrl/softrl.h>
 *
 * Build a plugin against an installed softrl with
 *     cc -shared -fPIC my.c -o my.so $(pkg-config --cflags --libs softrl)
 */
#ifndef SOFTRL_SOFTRL_H
#define SOFTRL_SOFTRL_H

#include <softrl/error.h>
#include <softrl/rng.h>
#include <softrl/param.h>
#include <softrl/state.h>
#include <softrl/nn.h>
#include <softrl/replay.h>
#include <softrl/plugin.h>
#include <softrl/env.h>
#include <softrl/sampler.h>
#include <softrl/algorithm.h>
#include <softrl/registry.h>
#include <softrl/experiment.h>

#endif
