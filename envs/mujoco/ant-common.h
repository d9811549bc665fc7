/* softrl — the Ant robot's part of every Ant task (internal to envs/mujoco/):
 * Gymnasium Ant-v4's observation, health check and reward terms, the
 * any-direction motion reward of thesis sections 3.4 and C.4, and the
 * flip termination of appendix C.1.  ant, ant-maze, ant-hallway and
 * ant-cross-maze build on it.
 *
 * Reward of the robot's part:
 *   forward_reward_weight·m + healthy_reward·[healthy or terminate_when_unhealthy]
 *   − ctrl_cost_weight·‖a‖² − contact_cost_weight·Σ clip(cfrc_ext)²  (with use_contact_forces)
 * where m is the torso's velocity along x (motion = forward, Ant-v4), its
 * speed in the plane ‖v_xy‖ (motion = any) or 0 (motion = none); velocities
 * are displacements of the torso body over dt = 5 × 0.01 as Gymnasium
 * measures them (data.xpos of the torso before and after the step).
 * Healthy: every qpos and qvel finite and the torso height qpos[2] within
 * healthy_z_range (closed interval, as Ant-v4).
 * Observation: qpos[2:] (13; qpos with x and y, 15, when
 * exclude_current_positions is false), qvel (14) and, with
 * use_contact_forces, cfrc_ext clipped to contact_force_range (84).
 */
#ifndef SRL_ANT_COMMON_H
#define SRL_ANT_COMMON_H

#include "mujoco-env.h"

G_BEGIN_DECLS

/* The robot's parameters, with per-task defaults: the motion term, control
 * cost, healthy reward, healthy height range, whether flips terminate,
 * whether the observation leaves out x and y, the reset noise. */
#define SRL_ANT_PARAMS(motion, ctrl, healthy, z_range, flip, exclude_xy, noise)                                  \
  SRL_PARAM_CHOICE ("motion", motion, "forward|any|none",                                                       \
                    "velocity term: along x (forward, Ant-v4), speed in any direction (any, thesis 3.4 and "     \
                    "C.4), or none"),                                                                            \
    SRL_PARAM_DOUBLE ("forward_reward_weight", "1", -SRL_UNBOUNDED, SRL_UNBOUNDED, "weight of the velocity term"), \
    SRL_PARAM_DOUBLE ("ctrl_cost_weight", ctrl, 0, SRL_UNBOUNDED, "weight of the control cost ‖a‖²"),            \
    SRL_PARAM_BOOL ("use_contact_forces", "false",                                                               \
                    "observe the clipped external contact forces (84 values) and pay their cost"),               \
    SRL_PARAM_DOUBLE ("contact_cost_weight", "5e-4", 0, SRL_UNBOUNDED,                                         \
                      "weight of Σ clip(cfrc_ext)² (with use_contact_forces)"),                                  \
    SRL_PARAM_DOUBLE_LIST ("contact_force_range", "-1;1", -SRL_UNBOUNDED, SRL_UNBOUNDED,                          \
                           "contact forces are clipped to this range"),                                          \
    SRL_PARAM_DOUBLE ("healthy_reward", healthy, -SRL_UNBOUNDED, SRL_UNBOUNDED, "reward for each healthy step"),  \
    SRL_PARAM_BOOL ("terminate_when_unhealthy", "true", "end the episode (terminal) when the ant is unhealthy"),  \
    SRL_PARAM_DOUBLE_LIST ("healthy_z_range", z_range, -SRL_UNBOUNDED, SRL_UNBOUNDED,                             \
                           "closed interval for the torso height qpos[2]"),                                      \
    SRL_PARAM_BOOL ("terminate_when_flipped", flip,                                                              \
                    "end the episode (terminal) when the torso turns upside down (appendix C.1's extra "        \
                    "termination for the quadruped)"),                                                           \
    SRL_PARAM_BOOL ("exclude_current_positions", exclude_xy,                                                     \
                    "leave the torso's x and y out of the observation (Ant-v4: true)"),                          \
    SRL_PARAM_DOUBLE ("reset_noise_scale", noise, 0, SRL_UNBOUNDED,                                              \
                      "initial qpos noise U(±scale), initial qvel noise scale·N(0, 1)")

/* The first member of every Ant task's per-episode bookkeeping. */
typedef struct {
  double prev[2];  /* the torso's data.xpos x, y after the last step (Gymnasium reads it before the next) */
  double start[2]; /* torso x, y at the start of the episode */
  double max_x;
} SrlAntEpisode;

typedef enum { SRL_ANT_MOTION_FORWARD, SRL_ANT_MOTION_ANY, SRL_ANT_MOTION_NONE } SrlAntMotion;

typedef struct {
  SrlMjEnv base;
  SrlAntMotion motion;
  double forward_weight, ctrl_weight, contact_weight, contact_range[2], healthy_reward, z_range[2], noise;
  gboolean use_contact_forces, terminate, flip, include_xy;
  int torso;
  SrlAntEpisode *ep;
} SrlAnt;

/* Read SRL_ANT_PARAMS, check the model, size the observation (the robot's
 * part plus `extra` values the task appends). */
gboolean srl_ant_configure (SrlAnt *ant, const SrlSection *params, guint extra, GError **error);
/* Task callbacks (SrlMjTask) for the robot's part.  Ant-v4's initial state: */
void srl_ant_reset (SrlMjEnv *env, SrlRng *rng);
/* Start the robot's bookkeeping. */
void srl_ant_begin (SrlMjEnv *env);
/* Add the robot's reward terms after a step; TERMINATED when unhealthy
 * (with terminate_when_unhealthy) or flipped (with terminate_when_flipped). */
SrlStepStatus srl_ant_after (SrlMjEnv *env, const double *action, double *reward);
/* Write the robot's observation (the task's own values go after it, at
 * srl_ant_obs_dim). */
void srl_ant_observe (SrlMjEnv *env, double *obs);
/* forward_distance, max_forward_distance and distance_from_start of the torso. */
void srl_ant_info (SrlMjEnv *env, double *values);
/* Size of the robot's part of the observation. */
guint srl_ant_obs_dim (const SrlAnt *ant);
/* Distance from the torso (qpos x, y) to a point. */
double srl_ant_distance (const SrlAnt *ant, const double point[2]);

G_END_DECLS

#endif
