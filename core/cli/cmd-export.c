/* softrl export: a run's deterministic policy as one self-contained C99
 * header, for a robot's controller or a microcontroller.
 *
 * The header holds the policy network's weights as `static const float`
 * arrays and one function,
 *
 *   void PREFIX_act (const float *obs, float *action)
 *
 * that computes what `softrl eval --deterministic` does for one observation:
 * the algorithm's act() with noise 0, then the core's mapping of [-1, 1]
 * onto the environment's action bounds (srl_env_action_from_normalized):
 *
 *   gaussian   a = tanh(μ(s))                       (the mode; σ is not needed)
 *   realnvp    a = tanh(f(0; s))                    (the flow of the zero latent)
 *   svgd       a = tanh(f(s, 0))                    (ξ = 0)
 *   ddpg, td3  a = μ(s), the actor's tanh output
 *   then       env_j = low_j + (clamp(a_j, -1, 1) + 1)(high_j − low_j)/2
 *
 * softrl gives networks the observation as the environment returns it (cast
 * to float), so the header normalizes nothing either.  The function reads
 * only its arguments and the constant weights, keeps its intermediate
 * vectors in stack arrays of sizes fixed when the header is written, calls
 * nothing but <math.h>'s tanhf/expf, and allocates nothing: it is reentrant
 * and may run in an interrupt handler.
 *
 * Weights are printed with the fewest significant digits (at most 9, as
 * %.9g) that read back as the same float, so the header reproduces the
 * network bit for bit and stays small (HalfCheetah's 2 × 256 policy is
 * about 0.9 MB).  The sums run in a fixed order in float, so actions agree
 * with softrl's (sgemm) to rounding, ~1e-6.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

/* One dense layer y = nl(x·W + b), W [n_in, n_out] row-major. */
typedef struct {
  guint n_in, n_out;
  float *w, *b;
  SrlNonlinearity nl;
} Layer;

typedef struct {
  char *name; /* the tensors' prefix in policy.safetensors, for messages */
  GPtrArray *layers; /* of Layer */
} Network;

static void
network_free (Network *net)
{
  if (!net)
    return;
  for (guint i = 0; i < net->layers->len; i++)
    {
      Layer *l = net->layers->pdata[i];
      g_free (l->w);
      g_free (l->b);
      g_free (l);
    }
  g_ptr_array_free (net->layers, TRUE);
  g_free (net->name);
  g_free (net);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Network, network_free)

static gboolean
all_finite (const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (x[i]))
      return FALSE;
  return TRUE;
}

/* The MLP saved under `prefix` (layers PREFIXl0.weight, PREFIXl0.bias, …),
 * hidden layers `hidden_nl`, the last `out_nl`; its input width must be
 * `n_in`.  NULL with an error naming the file and tensor. */
static Network *
read_network (const SrlStateReader *reader, const char *prefix, guint n_in, SrlNonlinearity hidden_nl,
              SrlNonlinearity out_nl, GError **error)
{
  g_autoptr (Network) net = g_new0 (Network, 1);
  net->name = g_strdup (prefix);
  net->layers = g_ptr_array_new ();
  const char *file = srl_state_reader_path (reader);
  for (guint l = 0;; l++)
    {
      g_autofree char *wname = g_strdup_printf ("%sl%u.weight", prefix, l);
      g_autofree char *bname = g_strdup_printf ("%sl%u.bias", prefix, l);
      if (!srl_state_reader_has (reader, wname))
        break;
      guint nd = 0;
      const gsize *shape = srl_state_reader_shape (reader, wname, &nd);
      guint expected_in = l == 0 ? n_in : ((Layer *) net->layers->pdata[l - 1])->n_out;
      if (nd != 2 || shape[0] != expected_in || shape[1] == 0 || shape[1] > 65536)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: tensor %s: expected a [%u, n] matrix", file, wname,
                       expected_in);
          return NULL;
        }
      Layer *layer = g_new0 (Layer, 1);
      g_ptr_array_add (net->layers, layer);
      layer->n_in = (guint) shape[0];
      layer->n_out = (guint) shape[1];
      layer->w = g_new (float, (gsize) layer->n_in * layer->n_out);
      layer->b = g_new (float, layer->n_out);
      if (!srl_state_reader_get_f32 (reader, wname, layer->w, (gsize) layer->n_in * layer->n_out, error)
          || !srl_state_reader_get_f32 (reader, bname, layer->b, layer->n_out, error))
        return NULL;
      if (!all_finite (layer->w, (gsize) layer->n_in * layer->n_out) || !all_finite (layer->b, layer->n_out))
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: layer %sl%u holds a value that is not finite", file,
                       prefix, l);
          return NULL;
        }
      layer->nl = hidden_nl;
    }
  if (net->layers->len == 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: no network %sl0.weight", file, prefix);
      return NULL;
    }
  ((Layer *) net->layers->pdata[net->layers->len - 1])->nl = out_nl;
  return g_steal_pointer (&net);
}

static guint
network_n_out (const Network *net)
{
  return ((Layer *) net->layers->pdata[net->layers->len - 1])->n_out;
}

/* The widest hidden vector of `net`: the size of its stack buffers. */
static guint
network_max_hidden (const Network *net)
{
  guint m = 1;
  for (guint i = 0; i + 1 < net->layers->len; i++)
    m = MAX (m, ((Layer *) net->layers->pdata[i])->n_out);
  return m;
}

/* Keep only the first `n` outputs of the last layer (the gaussian's mean). */
static void
network_keep_outputs (Network *net, guint n)
{
  Layer *l = net->layers->pdata[net->layers->len - 1];
  g_assert (n <= l->n_out);
  for (guint i = 0; i < l->n_in; i++)
    memmove (l->w + (gsize) i * n, l->w + (gsize) i * l->n_out, n * sizeof (float));
  l->n_out = n;
}

/* Keep only the first `n` inputs of the first layer (svgd's observation
 * rows; the noise rows meet ξ = 0). */
static void
network_keep_inputs (Network *net, guint n)
{
  Layer *l = net->layers->pdata[0];
  g_assert (n <= l->n_in);
  l->n_in = n;
}

/* ------------------------------------------------------------------ writing */

typedef struct {
  GString *out;
  const char *prefix;
} Writer;

/* The shortest decimal (at most 9 significant digits) that reads back as
 * `x`, without a leading zero ("-.5", "1e-05"). */
static void
append_float (GString *out, float x)
{
  char text[32];
  for (int digits = 6; digits <= 9; digits++)
    {
      g_snprintf (text, sizeof text, "%.*g", digits, (double) x);
      if (strtof (text, NULL) == x && signbit (strtof (text, NULL)) == signbit (x))
        break;
    }
  const char *t = text;
  if (t[0] == '0' && t[1] == '.')
    t++;
  else if (t[0] == '-' && t[1] == '0' && t[2] == '.')
    {
      g_string_append_c (out, '-');
      t += 2;
    }
  g_string_append (out, t);
}

/* A `static const float` array of `n` values named after the tensor
 * `tensor` ("policy.mlp.l0.weight" → PREFIX_policy_mlp_l0_weight); returns
 * its name (transfer full). */
static char *
write_array (Writer *w, const char *tensor, const float *x, gsize n)
{
  char *name = g_strdup_printf ("%s_%s", w->prefix, tensor);
  g_strdelimit (name, ".", '_');
  g_string_append_printf (w->out, "static const float %s[%" G_GSIZE_FORMAT "] = {", name, n);
  for (gsize i = 0; i < n; i++)
    {
      if (i % 12 == 0)
        g_string_append (w->out, "\n ");
      append_float (w->out, x[i]);
      if (i + 1 < n)
        g_string_append_c (w->out, ',');
    }
  g_string_append (w->out, "\n};\n");
  return name;
}

/* Arrays of every layer of `net`; the names land in `names` (w, b, w, b …). */
static void
write_network_arrays (Writer *w, const Network *net, GPtrArray *names)
{
  g_string_append_printf (w->out, "\n/* %s*: %u layers */\n", net->name, net->layers->len);
  for (guint i = 0; i < net->layers->len; i++)
    {
      const Layer *l = net->layers->pdata[i];
      g_autofree char *wname = g_strdup_printf ("%sl%u.weight", net->name, i);
      g_autofree char *bname = g_strdup_printf ("%sl%u.bias", net->name, i);
      g_ptr_array_add (names, write_array (w, wname, l->w, (gsize) l->n_in * l->n_out));
      g_ptr_array_add (names, write_array (w, bname, l->b, l->n_out));
    }
}

/* Statements computing `net` from the `input` vector into `output`,
 * through the stack buffers h0 and h1. */
static void
write_network_code (GString *code, const Network *net, GPtrArray *names, guint first_name, const char *input,
                    const char *output)
{
  g_string_append_printf (code, "  /* %s* */\n", net->name);
  for (guint i = 0; i < net->layers->len; i++)
    {
      const Layer *l = net->layers->pdata[i];
      const char *w = names->pdata[first_name + 2 * i], *b = names->pdata[first_name + 2 * i + 1];
      g_autofree char *src = i == 0 ? g_strdup (input) : g_strdup_printf ("h%u", (i - 1) % 2);
      g_autofree char *dst = i + 1 == net->layers->len ? g_strdup (output) : g_strdup_printf ("h%u", i % 2);
      g_string_append_printf (code,
                              "  for (j = 0; j < %u; j++)\n"
                              "    %s[j] = %s[j];\n"
                              "  for (i = 0; i < %u; i++)\n"
                              "    {\n"
                              "      const float xi = %s[i];\n"
                              "      const float *row = %s + i * %u;\n"
                              "      for (j = 0; j < %u; j++)\n"
                              "        %s[j] += xi * row[j];\n"
                              "    }\n",
                              l->n_out, dst, b, l->n_in, src, w, l->n_out, l->n_out, dst);
      if (l->nl == SRL_NL_RELU)
        g_string_append_printf (code, "  for (j = 0; j < %u; j++)\n    %s[j] = %s[j] > 0.0f ? %s[j] : 0.0f;\n",
                                l->n_out, dst, dst, dst);
      else if (l->nl == SRL_NL_TANH)
        g_string_append_printf (code, "  for (j = 0; j < %u; j++)\n    %s[j] = tanhf (%s[j]);\n", l->n_out, dst,
                                dst);
    }
}

/* ------------------------------------------------------------------ policies */

/* What the header computes before the action mapping: the networks, the
 * stack vectors they need and the statements from `obs` to `a`. */
typedef struct {
  GPtrArray *networks; /* of Network */
  guint max_hidden;
  GString *decls;      /* extra stack vectors */
  GString *code;
  const char *description;
} Policy;

static gboolean
realnvp_policy (const SrlStateReader *reader, const SrlSection *params, guint O, guint A, Writer *w, Policy *p,
                GError **error)
{
  const char *embedding_nl = srl_section_get_string (params, "embedding_nl");
  SrlNonlinearity emb_nl = strcmp (embedding_nl, "relu") == 0   ? SRL_NL_RELU
                           : strcmp (embedding_nl, "tanh") == 0 ? SRL_NL_TANH
                                                                : SRL_NL_LINEAR;
  SrlNonlinearity coupling_nl = strcmp (srl_section_get_string (params, "coupling_nl"), "tanh") == 0 ? SRL_NL_TANH
                                                                                                   : SRL_NL_RELU;
  const char *squash = srl_section_get_string (params, "squash");
  /* "auto" squashes environment actions, which are what every exportable
   * algorithm gives its sampler. */
  gboolean squashed = strcmp (squash, "false") != 0;
  double b = srl_section_get_double (params, "max_log_scale");
  guint n_layers = (guint) srl_section_get_int (params, "coupling_layers");

  Network *embed = read_network (reader, "policy.embed.", O, SRL_NL_RELU, emb_nl, error);
  if (!embed)
    return FALSE;
  g_ptr_array_add (p->networks, embed);
  const guint E = network_n_out (embed);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  write_network_arrays (w, embed, names);
  g_string_append_printf (p->decls, "  float emb[%u], x[%u], in[%u], scale[%u], shift[%u];\n", E, A, A + E, A, A);
  write_network_code (p->code, embed, names, 0, "obs", "emb");
  g_string_append_printf (p->code, "  for (j = 0; j < %u; j++)\n    x[j] = 0.0f; /* the latent h = 0 */\n", A);
  const guint first = A / 2;
  p->max_hidden = network_max_hidden (embed);
  for (guint k = 0; k < n_layers; k++)
    {
      gboolean second = k % 2 == 0;
      guint trans_off = second ? first : 0, n_trans = second ? A - first : first;
      guint keep_off = second ? 0 : first, n_keep = A - n_trans;
      if (n_trans == 0)
        continue; /* an identity layer (|A| = 1) */
      g_autofree char *scale_prefix = g_strdup_printf ("policy.coupling%u.scale.", k);
      g_autofree char *shift_prefix = g_strdup_printf ("policy.coupling%u.shift.", k);
      Network *scale = read_network (reader, scale_prefix, n_keep + E, coupling_nl, SRL_NL_LINEAR, error);
      if (!scale)
        return FALSE;
      g_ptr_array_add (p->networks, scale);
      Network *shift = read_network (reader, shift_prefix, n_keep + E, coupling_nl, SRL_NL_LINEAR, error);
      if (!shift)
        return FALSE;
      g_ptr_array_add (p->networks, shift);
      if (network_n_out (scale) != n_trans || network_n_out (shift) != n_trans)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: coupling layer %u: expected %u outputs",
                       srl_state_reader_path (reader), k, n_trans);
          return FALSE;
        }
      p->max_hidden = MAX (p->max_hidden, MAX (network_max_hidden (scale), network_max_hidden (shift)));
      guint at = names->len;
      write_network_arrays (w, scale, names);
      write_network_arrays (w, shift, names);
      g_string_append_printf (p->code,
                              "  /* coupling layer %u: x[%u..%u) ← x·exp(σ) + μ, from [x[%u..%u), e] */\n"
                              "  for (j = 0; j < %u; j++)\n    in[j] = x[%u + j];\n"
                              "  for (j = 0; j < %u; j++)\n    in[%u + j] = emb[j];\n",
                              k, trans_off, trans_off + n_trans, keep_off, keep_off + n_keep, n_keep, keep_off, E,
                              n_keep);
      write_network_code (p->code, scale, names, at, "in", "scale");
      write_network_code (p->code, shift, names, at + 2 * scale->layers->len, "in", "shift");
      g_string_append_printf (p->code, "  for (j = 0; j < %u; j++)\n    {\n", n_trans);
      if (b > 0)
        {
          g_autoptr (GString) bound = g_string_new (NULL);
          append_float (bound, (float) b);
          g_string_append_printf (p->code, "      const float sigma = (float) %s * tanhf (scale[j] / (float) %s);\n",
                                  bound->str, bound->str);
        }
      else
        g_string_append (p->code, "      const float sigma = scale[j];\n");
      g_string_append_printf (p->code, "      x[%u + j] = x[%u + j] * expf (sigma) + shift[j];\n    }\n", trans_off,
                              trans_off);
    }
  if (squashed)
    g_string_append_printf (p->code, "  for (j = 0; j < %u; j++)\n    a[j] = tanhf (x[j]);\n", A);
  else
    g_string_append_printf (p->code, "  for (j = 0; j < %u; j++)\n    a[j] = x[j];\n", A);
  return TRUE;
}

/* The gaussian's mean or the svgd network at ξ = 0, squashed by tanh. */
static gboolean
squashed_mlp_policy (const SrlStateReader *reader, const char *sampler, guint O, guint A, Writer *w, Policy *p,
                     GError **error)
{
  gboolean svgd = strcmp (sampler, "svgd") == 0;
  Network *net = read_network (reader, "policy.mlp.", svgd ? O + A : O, SRL_NL_RELU, SRL_NL_LINEAR, error);
  if (!net)
    return FALSE;
  g_ptr_array_add (p->networks, net);
  if (network_n_out (net) != (svgd ? A : 2 * A))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: %s: expected %u outputs", srl_state_reader_path (reader),
                   net->name, svgd ? A : 2 * A);
      return FALSE;
    }
  if (svgd)
    network_keep_inputs (net, O);
  else
    network_keep_outputs (net, A);
  p->max_hidden = network_max_hidden (net);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  write_network_arrays (w, net, names);
  g_string_append_printf (p->decls, "  float u[%u];\n", A);
  write_network_code (p->code, net, names, 0, "obs", "u");
  g_string_append_printf (p->code, "  for (j = 0; j < %u; j++)\n    a[j] = tanhf (u[j]);\n", A);
  return TRUE;
}

/* ddpg and td3: the actor, tanh output. */
static gboolean
actor_policy (const SrlStateReader *reader, guint O, guint A, Writer *w, Policy *p, GError **error)
{
  Network *net = read_network (reader, "policy.", O, SRL_NL_RELU, SRL_NL_TANH, error);
  if (!net)
    return FALSE;
  g_ptr_array_add (p->networks, net);
  if (network_n_out (net) != A)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: %s: expected %u outputs", srl_state_reader_path (reader),
                   net->name, A);
      return FALSE;
    }
  p->max_hidden = network_max_hidden (net);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  write_network_arrays (w, net, names);
  write_network_code (p->code, net, names, 0, "obs", "a");
  return TRUE;
}

/* Whether the run's algorithm and sampler are ones this file knows the
 * deterministic forward pass of; otherwise a configuration error naming
 * them. */
static gboolean
check_exportable (const char *algorithm, const char *sampler, GError **error)
{
  static const char *const sampled[] = { "sac", "sac-auto", "sql" };
  static const char *const samplers[] = { "gaussian", "realnvp", "svgd" };
  if (strcmp (algorithm, "ddpg") == 0 || strcmp (algorithm, "td3") == 0)
    return TRUE;
  gboolean known_algorithm = FALSE, known_sampler = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (sampled); i++)
    known_algorithm |= strcmp (algorithm, sampled[i]) == 0;
  for (guint i = 0; sampler && i < G_N_ELEMENTS (samplers); i++)
    known_sampler |= strcmp (sampler, samplers[i]) == 0;
  if (!known_algorithm)
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                 "algorithm \"%s\" cannot be exported: export knows the deterministic policies of sac, sac-auto and "
                 "sql (with the gaussian, realnvp or svgd sampler), ddpg and td3", algorithm);
  else if (!known_sampler)
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                 "sampler \"%s\" of algorithm \"%s\" cannot be exported: export knows the gaussian, realnvp and svgd "
                 "samplers", sampler ? sampler : "(none)", algorithm);
  return known_algorithm && known_sampler;
}

static gboolean
valid_prefix (const char *name)
{
  if (!g_ascii_isalpha (name[0]) && name[0] != '_')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '_')
      return FALSE;
  return strlen (name) <= 64;
}

/* The header for the loaded run (transfer full), or NULL with an error. */
static char *
export_header (const SrlLoadedPolicy *loaded, const char *run_dir, const char *prefix, GError **error)
{
  const SrlExperiment *x = loaded->experiment;
  const SrlEnvSpec *spec = srl_env_spec (loaded->env);
  const char *algorithm = x->algorithm_descriptor->info.name;
  const char *sampler = x->sampler_descriptor ? x->sampler_descriptor->info.name : NULL;
  if (!check_exportable (algorithm, sampler, error))
    return NULL;
  const guint O = spec->obs_dim, A = spec->act_dim;
  for (guint j = 0; j < A; j++)
    if (!isfinite (spec->act_low[j]) || !isfinite (spec->act_high[j]))
      {
        g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                     "environment \"%s\": action %u has an unbounded range; the policy's [-1, 1] cannot be mapped "
                     "onto it", x->env_descriptor->info.name, j);
        return NULL;
      }
  g_autofree char *policy_path = g_build_filename (run_dir, SRL_RUN_POLICY, NULL);
  g_autoptr (SrlStateReader) reader = srl_state_reader_open (policy_path, error);
  if (!reader)
    return NULL;

  g_autoptr (GString) arrays = g_string_new (NULL);
  Writer w = { arrays, prefix };
  Policy p = { g_ptr_array_new_with_free_func ((GDestroyNotify) network_free), 1, g_string_new (NULL),
               g_string_new (NULL), NULL };
  gboolean ok;
  if (!sampler)
    ok = actor_policy (reader, O, A, &w, &p, error);
  else if (strcmp (sampler, "realnvp") == 0)
    ok = realnvp_policy (reader, x->sampler, O, A, &w, &p, error);
  else
    ok = squashed_mlp_policy (reader, sampler, O, A, &w, &p, error);
  g_ptr_array_free (p.networks, TRUE);
  g_autoptr (GString) decls = p.decls, code = p.code;
  if (!ok)
    return NULL;

  g_autofree char *upper = g_ascii_strup (prefix, -1);
  g_autofree char *run_text = g_strescape (run_dir, NULL);
  GString *h = g_string_new (NULL);
  g_string_append_printf (h,
                          "/* %s.h: the deterministic policy of the softrl run \"%s\"\n"
                          " * (algorithm %s%s%s, environment %s), written by softrl export %s.\n"
                          " *\n"
                          " *   void %s_act (const float *obs, float *action);\n"
                          " *\n"
                          " * obs: %s_OBS_DIM floats, the observation as the environment gives it\n"
                          " * (softrl does not normalize observations); action: %s_ACT_DIM floats in the\n"
                          " * environment's units, within [%s_ACT_LOW, %s_ACT_HIGH].  It does what\n"
                          " * `softrl eval --deterministic` does for one step.  Self-contained C99: needs\n"
                          " * <math.h> only (link with -lm); no allocation, no mutable static state, stack\n"
                          " * buffers of fixed size, so it is reentrant and can run in an interrupt handler.\n"
                          " */\n"
                          "#ifndef %s_POLICY_H\n#define %s_POLICY_H\n\n#include <math.h>\n\n"
                          "#define %s_OBS_DIM %u\n#define %s_ACT_DIM %u\n",
                          prefix, run_text, algorithm, sampler ? ", sampler " : "", sampler ? sampler : "",
                          x->env_descriptor->info.name, PACKAGE_VERSION, prefix, upper, upper, upper, upper,
                          upper, upper, upper, O, upper, A);
  g_autoptr (GString) low = g_string_new (NULL), high = g_string_new (NULL);
  for (guint j = 0; j < A; j++)
    {
      g_string_append_printf (low, "%s%.17g", j ? ", " : "", spec->act_low[j]);
      g_string_append_printf (high, "%s%.17g", j ? ", " : "", spec->act_high[j]);
    }
  g_string_append_printf (h, "static const double %s_ACT_LOW[%u] = { %s };\n", upper, A, low->str);
  g_string_append_printf (h, "static const double %s_ACT_HIGH[%u] = { %s };\n", upper, A, high->str);
  g_string_append (h, arrays->str);
  g_string_append_printf (h,
                          "\nstatic inline void\n%s_act (const float *obs, float *action)\n{\n"
                          "  float h0[%u], h1[%u], a[%u];\n%s  int i, j;\n\n"
                          "  (void) h0;\n  (void) h1;\n  (void) i;\n%s",
                          prefix, p.max_hidden, p.max_hidden, A, decls->str, code->str);
  g_string_append_printf (h,
                          "  /* [-1, 1] onto the environment's bounds, as softrl maps actions */\n"
                          "  for (j = 0; j < %u; j++)\n"
                          "    {\n"
                          "      const double c = a[j] < -1.0f ? -1.0 : a[j] > 1.0f ? 1.0 : (double) a[j];\n"
                          "      action[j] = (float) (%s_ACT_LOW[j] + 0.5 * (c + 1.0) * (%s_ACT_HIGH[j] - %s_ACT_LOW[j]));\n"
                          "    }\n"
                          "}\n\n#endif\n",
                          A, upper, upper, upper);
  return g_string_free (h, FALSE);
}

int
srl_cmd_export (int argc, char **argv)
{
  g_autofree char *out = NULL, *name = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "the header to write (required)", "FILE.h" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "prefix of the function and constants (default policy)", "PREFIX" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("RUNDIR");
  g_option_context_set_summary (ctx,
                                "Write the deterministic policy saved in RUNDIR as one self-contained C99 header:\n"
                                "the weights as static const float arrays and PREFIX_act(const float *obs,\n"
                                "float *action), which needs only <math.h>, allocates nothing and can run in an\n"
                                "interrupt handler.  Policies of sac, sac-auto and sql (gaussian, realnvp and\n"
                                "svgd samplers), ddpg and td3.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("export: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (argc != 2 || !out)
    {
      srl_cli_error ("export: give one run directory and -o FILE.h (see softrl export --help)");
      return SRL_EXIT_USAGE;
    }
  const char *prefix = name ? name : "policy";
  if (!valid_prefix (prefix))
    {
      srl_cli_error ("export: --name %s: expected a C identifier (letters, digits, _; at most 64)", prefix);
      return SRL_EXIT_USAGE;
    }
  if (!srl_cli_check_output (out, argv[1], &error))
    {
      srl_cli_error ("export: %s", error->message);
      return srl_cli_status (error);
    }
  g_autoptr (SrlRegistry) registry = srl_cli_registry (FALSE);
  g_autoptr (SrlLoadedPolicy) policy = srl_loaded_policy_new (registry, argv[1], NULL, &error);
  g_autofree char *header = policy ? export_header (policy, argv[1], prefix, &error) : NULL;
  if (!header)
    {
      srl_cli_error ("export: %s", error->message);
      return srl_cli_status (error);
    }
  if (!srl_write_file_atomic (out, header, -1, &error))
    {
      srl_cli_error ("export: %s", error->message);
      return SRL_EXIT_FAILED;
    }
  return SRL_EXIT_OK;
}
