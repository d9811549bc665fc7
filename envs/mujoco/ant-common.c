/* softrl — the Ant robot's part of every Ant task; see ant-common.h. */
#include <math.h>
#include <string.h>

#include "ant-common.h"

gboolean
srl_ant_configure (SrlAnt *a, const SrlSection *p, guint extra, GError **error)
{
  SrlMjEnv *env = &a->base;
  const char *motion = srl_section_get_string (p, "motion");
  a->motion = g_strcmp0 (motion, "any") == 0    ? SRL_ANT_MOTION_ANY
              : g_strcmp0 (motion, "none") == 0 ? SRL_ANT_MOTION_NONE
                                                : SRL_ANT_MOTION_FORWARD;
  a->forward_weight = srl_section_get_double (p, "forward_reward_weight");
  a->ctrl_weight = srl_section_get_double (p, "ctrl_cost_weight");
  a->use_contact_forces = srl_section_get_bool (p, "use_contact_forces");
  a->contact_weight = srl_section_get_double (p, "contact_cost_weight");
  a->healthy_reward = srl_section_get_double (p, "healthy_reward");
  a->terminate = srl_section_get_bool (p, "terminate_when_unhealthy");
  a->flip = srl_section_get_bool (p, "terminate_when_flipped");
  a->include_xy = !srl_section_get_bool (p, "exclude_current_positions");
  a->noise = srl_section_get_double (p, "reset_noise_scale");
  a->ep = SRL_MJ_EPISODE (env, SrlAntEpisode);
  if (!srl_mj_range (p, "contact_force_range", a->contact_range, error)
      || !srl_mj_range (p, "healthy_z_range", a->z_range, error) || !srl_mj_check_sizes (env, 15, 14, 8, 14, error)
      || !srl_mj_body (env, "torso", &a->torso, error))
    return FALSE;
  /* cfrc_ext is computed by mj_rnePostConstraint, which Gymnasium runs after
   * every step; only the contact forces read it. */
  env->post_constraint = a->use_contact_forces;
  env->spec.obs_dim = srl_ant_obs_dim (a) + extra;
  return TRUE;
}

guint
srl_ant_obs_dim (const SrlAnt *a)
{
  return (a->include_xy ? 15 : 13) + 14 + (a->use_contact_forces ? 14 * 6 : 0);
}

void
srl_ant_reset (SrlMjEnv *env, SrlRng *rng)
{
  SrlAnt *a = (SrlAnt *) env;
  srl_mj_reset_state (env, rng, a->noise, a->noise, SRL_MJ_NOISE_NORMAL);
}

void
srl_ant_begin (SrlMjEnv *env)
{
  SrlAnt *a = (SrlAnt *) env;
  const double *xpos = a->base.d->xpos + 3 * a->torso;
  a->ep->prev[0] = a->ep->start[0] = a->ep->max_x = xpos[0];
  a->ep->prev[1] = a->ep->start[1] = xpos[1];
}

static gboolean
healthy (const SrlAnt *a)
{
  const mjData *d = a->base.d;
  for (int i = 0; i < 15; i++)
    if (!isfinite (d->qpos[i]))
      return FALSE;
  for (int i = 0; i < 14; i++)
    if (!isfinite (d->qvel[i]))
      return FALSE;
  return a->z_range[0] <= d->qpos[2] && d->qpos[2] <= a->z_range[1];
}

/* The torso's z axis points down (or sideways): the (3, 3) entry of the
 * rotation of the root quaternion qpos[3:7] = (w, x, y, z), which is
 * (w² − x² − y² + z²)/‖q‖², is not positive.  As the reference's test that
 * the torso's down axis has a negative z. */
static gboolean
flipped (const SrlAnt *a)
{
  const double *q = a->base.d->qpos + 3;
  return q[0] * q[0] - q[1] * q[1] - q[2] * q[2] + q[3] * q[3] <= 0;
}

SrlStepStatus
srl_ant_after (SrlMjEnv *env, const double *action, double *reward)
{
  SrlAnt *a = (SrlAnt *) env;
  const double *xpos = env->d->xpos + 3 * a->torso;
  double vx = (xpos[0] - a->ep->prev[0]) / env->dt, vy = (xpos[1] - a->ep->prev[1]) / env->dt;
  a->ep->prev[0] = xpos[0];
  a->ep->prev[1] = xpos[1];
  a->ep->max_x = MAX (a->ep->max_x, xpos[0]);
  double motion = a->motion == SRL_ANT_MOTION_FORWARD ? vx : a->motion == SRL_ANT_MOTION_ANY ? hypot (vx, vy) : 0;
  gboolean ok = healthy (a);
  double r = a->forward_weight * motion + (ok || a->terminate ? a->healthy_reward : 0)
             - a->ctrl_weight * srl_mj_sum_squares (action, 8);
  if (a->use_contact_forces)
    {
      double c = 0;
      for (int i = 0; i < 14 * 6; i++)
        {
          double f = CLAMP (env->d->cfrc_ext[i], a->contact_range[0], a->contact_range[1]);
          c += f * f;
        }
      r -= a->contact_weight * c;
    }
  *reward += r;
  if ((a->terminate && !ok) || (a->flip && flipped (a)))
    return SRL_STEP_TERMINATED;
  return SRL_STEP_CONTINUE;
}

void
srl_ant_observe (SrlMjEnv *env, double *obs)
{
  SrlAnt *a = (SrlAnt *) env;
  obs = srl_mj_observe_state (env, a->include_xy ? 0 : 2, 0, obs);
  if (a->use_contact_forces)
    for (int i = 0; i < 14 * 6; i++)
      *obs++ = CLAMP (env->d->cfrc_ext[i], a->contact_range[0], a->contact_range[1]);
}

void
srl_ant_info (SrlMjEnv *env, double *values)
{
  const SrlAntEpisode *ep = ((SrlAnt *) env)->ep;
  values[0] = ep->prev[0] - ep->start[0];
  values[1] = ep->max_x - ep->start[0];
  values[2] = hypot (ep->prev[0] - ep->start[0], ep->prev[1] - ep->start[1]);
}

double
srl_ant_distance (const SrlAnt *a, const double point[2])
{
  return hypot (a->base.d->qpos[0] - point[0], a->base.d->qpos[1] - point[1]);
}
