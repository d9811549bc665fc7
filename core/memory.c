/* Memory a run will need, checked before any of it is taken: a size inside
 * its declared range can still be more than the machine has, and an
 * allocation that fails halfway aborts the process (GLib's g_new does) and
 * leaves a run directory behind.
 *
 * The estimate is a lower bound made from the declared parameters alone,
 * so that it serves every algorithm and sampler without a descriptor entry
 * (which would change the plugin ABI) and never refuses a run that fits:
 * every list parameter named *hidden_sizes is taken as one network from the
 * observation and action to a single output, held as weights, gradients
 * and two Adam moments, with batch_size rows of activations for its hidden
 * layers; an algorithm's is taken n_q times when it declares n_q (its
 * Q-functions), each with a target copy when it declares tau (their
 * smoothing); and the replay buffer as full as the run can fill it. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "runner.h"

typedef struct {
  double networks, replay_resident, replay_reserved; /* bytes */
} MemoryNeed;

/* Floats of the networks that `section`'s *hidden_sizes lists describe,
 * and of their activations for `batch` rows. */
static void
add_networks (const SrlSection *section, const SrlEnvSpec *spec, double batch, double copies, gboolean targets,
              MemoryNeed *need)
{
  if (!section)
    return;
  for (const SrlParamSpec *p = srl_section_specs (section); p && p->name; p++)
    {
      if (p->type != SRL_PARAM_INT_LIST || !g_str_has_suffix (p->name, "hidden_sizes"))
        continue;
      guint n = 0;
      const gint64 *sizes = srl_section_get_int_list (section, p->name, &n);
      double in = spec->obs_dim + spec->act_dim, weights = 0, units = 0;
      for (guint i = 0; i < n; i++)
        {
          if (sizes[i] <= 0)
            continue;
          weights += (in + 1) * (double) sizes[i];
          units += (double) sizes[i];
          in = (double) sizes[i];
        }
      weights += in + 1;
      /* weights, gradients, Adam's first and second moments, the target */
      need->networks += copies * ((4 + (targets ? 1 : 0)) * weights * sizeof (float) + batch * units * sizeof (float));
    }
}

static void
estimate (const SrlExperiment *x, const SrlEnvSpec *spec, MemoryNeed *need)
{
  memset (need, 0, sizeof *need);
  double batch = 0, copies = 1;
  gboolean targets = FALSE;
  for (const SrlParamSpec *p = srl_section_specs (x->algorithm); p && p->name; p++)
    if (p->type == SRL_PARAM_INT && strcmp (p->name, "batch_size") == 0)
      batch = (double) srl_section_get_int (x->algorithm, "batch_size");
    else if (p->type == SRL_PARAM_INT && strcmp (p->name, "n_q") == 0)
      copies = (double) srl_section_get_int (x->algorithm, "n_q");
    else if (p->type == SRL_PARAM_DOUBLE && strcmp (p->name, "tau") == 0)
      targets = TRUE;
  add_networks (x->algorithm, spec, batch, copies, targets, need);
  add_networks (x->sampler, spec, batch, 1, FALSE, need);
  double per_transition = sizeof (float) * (2.0 * spec->obs_dim + spec->act_dim + 1) + 2;
  double capacity = (double) srl_section_get_int (x->runner, "replay_capacity");
  double steps = srl_section_get_int (x->runner, "offline_updates") > 0
                     ? 0 /* what the saved runs hold, read later */
                     : (double) srl_section_get_int (x->runner, "epochs")
                           * (double) srl_section_get_int (x->runner, "steps_per_epoch");
  need->replay_resident = MIN (capacity, steps) * per_transition;
  need->replay_reserved = capacity * per_transition;
}

/* A number of bytes from `file` (/proc/meminfo's "MemAvailable:" in kB when
 * `key` is given, else the file's first number); FALSE when unreadable or
 * "max". */
static gboolean
read_bytes (const char *file, const char *key, double *bytes)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (file, &text, NULL, NULL))
    return FALSE;
  const char *at = text;
  if (key)
    {
      at = strstr (text, key);
      if (!at)
        return FALSE;
      at += strlen (key);
    }
  char *end;
  double v = g_ascii_strtod (at, &end);
  if (end == at || !isfinite (v) || v < 0)
    return FALSE;
  *bytes = key ? v * 1024 : v;
  return TRUE;
}

/* The cgroup (v2, or v1's memory controller) this process is in: its limit
 * less what it uses. */
static gboolean
cgroup_room (double *bytes)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents ("/proc/self/cgroup", &text, NULL, NULL))
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *path = NULL, *limit = NULL, *usage = NULL, *base = NULL;
      if (g_str_has_prefix (lines[i], "0::"))
        path = lines[i] + 3, base = "/sys/fs/cgroup", limit = "memory.max", usage = "memory.current";
      else if (strstr (lines[i], ":memory:"))
        path = strstr (lines[i], ":memory:") + 8, base = "/sys/fs/cgroup/memory", limit = "memory.limit_in_bytes",
        usage = "memory.usage_in_bytes";
      if (!path)
        continue;
      g_autofree char *limit_file = g_build_filename (base, path, limit, NULL);
      g_autofree char *usage_file = g_build_filename (base, path, usage, NULL);
      double max, used = 0;
      /* v1 says "no limit" with a huge number rather than "max". */
      if (read_bytes (limit_file, NULL, &max) && max < 1e18)
        {
          read_bytes (usage_file, NULL, &used);
          *bytes = MAX (max - used, 0);
          return TRUE;
        }
    }
  return FALSE;
}

static char *
gib (double bytes)
{
  return g_format_size_full ((guint64) MIN (bytes, 1e19), G_FORMAT_SIZE_IEC_UNITS);
}

gboolean
srl_experiment_check_memory_for (const SrlExperiment *x, const SrlEnvSpec *spec, GError **error)
{
  MemoryNeed need;
  estimate (x, spec, &need);
  double resident = need.networks + need.replay_resident, reserved = need.networks + need.replay_reserved;
  double room = 0, swap = 0;
  const char *limit = NULL;
  gboolean by_address_space = FALSE;
  if (read_bytes ("/proc/meminfo", "MemAvailable:", &room))
    {
      limit = "is available (MemAvailable and SwapFree in /proc/meminfo)";
      if (read_bytes ("/proc/meminfo", "SwapFree:", &swap))
        room += swap;
    }
  double cgroup;
  if (cgroup_room (&cgroup) && (!limit || cgroup < room))
    {
      room = cgroup;
      limit = "is left under this process's cgroup memory limit";
    }
  struct rlimit as;
  if (getrlimit (RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
    {
      double vm = 0, address_room;
      read_bytes ("/proc/self/status", "VmSize:", &vm);
      address_room = MAX ((double) as.rlim_cur - vm, 0);
      if (reserved > address_room && (!limit || reserved - address_room > resident - room))
        {
          room = address_room;
          limit = "is left under this process's address-space limit (ulimit -v)";
          by_address_space = TRUE;
        }
    }
  double wanted = by_address_space ? reserved : resident;
  if (!limit || wanted <= room)
    return TRUE;
  g_autofree char *total = gib (wanted), *nets = gib (need.networks);
  g_autofree char *replay = gib (by_address_space ? need.replay_reserved : need.replay_resident), *have = gib (room);
  g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
               "%s: this run needs at least %s of memory (networks with their gradients, Adam moments and "
               "workspaces %s, replay buffer %s) but %s %s; make the networks (hidden_sizes), batch_size or "
               "[experiment] replay_capacity smaller",
               x->file, total, nets, replay, have, limit);
  return FALSE;
}

gboolean
srl_experiment_check_memory (const SrlExperiment *x, GError **error)
{
  SrlEnv *env = srl_env_new (x->env_descriptor, x->env, error);
  if (!env)
    return FALSE;
  gboolean ok = srl_experiment_check_memory_for (x, srl_env_spec (env), error);
  srl_env_free (env);
  return ok;
}
