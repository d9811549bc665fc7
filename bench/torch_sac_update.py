#!/usr/bin/env python3
"""PyTorch's side of `softrl bench torch`: the gradient update of soft
actor-critic with automatic temperature (sac-auto), timed on the CPU.

    python3 torch_sac_update.py OBS ACT HIDDEN BATCH THREADS SECONDS
    -> updates_per_sec=<rate>

It performs the update softrl's sac-auto performs (plugins/algorithms/sac/
core.c), at the sizes `softrl bench update` uses (HalfCheetah's observation
17 and action 6, two hidden ReLU layers of HIDDEN, minibatch BATCH, two
Q-functions, Adam 3e-4, tau 0.005):

  1. a minibatch drawn uniformly from a replay buffer held in memory;
  2. the soft Bellman target y = r + gamma (1 - d) (min_k Q'_k(s', a') -
     alpha log pi(a'|s')), a' sampled from the policy at s';
  3. one Adam step per Q-function on 1/2 (Q_k(s, a) - y)^2;
  4. the target Q-functions moved by tau;
  5. one policy step on alpha log pi(a~|s) - min_k Q_k(s, a~), a~ sampled
     with the reparameterization trick through the updated Q-functions
     (their weights frozen: only the policy's gradients are computed);
  6. one step on log alpha of -log alpha (log pi(a~|s) + target entropy),
     target entropy -|A|.

The policy is softrl's gaussian sampler: one MLP giving the mean and log
sigma (clamped to [-20, 2]) of a diagonal Gaussian, squashed by tanh, with
log(1 - tanh^2 u) computed stably.  THREADS bounds PyTorch's intra-op
threads and the BLAS under it, as softrl's own thread count does.
"""
import math
import os
import sys
import time


def parse_arguments(argv):
    names = ("OBS", "ACT", "HIDDEN", "BATCH", "THREADS", "SECONDS")
    if len(argv) != len(names) + 1:
        sys.exit(f"usage: {os.path.basename(argv[0])} {' '.join(names)}")
    values = []
    for name, text in zip(names, argv[1:]):
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            sys.exit(f"{name} must be a positive integer, got {text!r}")
        values.append(value)
    return values


obs_dim, act_dim, hidden, batch, threads, seconds = parse_arguments(sys.argv)

# Before torch loads its BLAS: one thread count for every layer of threads.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(threads)

import torch  # noqa: E402  (after the thread variables)
from torch import nn  # noqa: E402
from torch.nn import functional  # noqa: E402

torch.set_num_threads(threads)
torch.manual_seed(1)

DISCOUNT, TAU, LEARNING_RATE = 0.99, 0.005, 3e-4
LOG_STD_MIN, LOG_STD_MAX = -20.0, 2.0
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
REPLAY_SIZE = 100_000


def mlp(n_in, n_out):
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, n_out))


class GaussianPolicy(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = mlp(obs_dim, 2 * act_dim)

    def sample(self, obs):
        mean, log_std = self.net(obs).split(act_dim, dim=1)
        log_std = log_std.clamp(LOG_STD_MIN, LOG_STD_MAX)
        noise = torch.randn_like(mean)
        u = mean + log_std.exp() * noise
        # log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u))
        log_jacobian = 2.0 * (math.log(2.0) - u - functional.softplus(-2.0 * u))
        log_prob = (-0.5 * noise.square() - log_std - HALF_LOG_2PI - log_jacobian).sum(dim=1)
        return torch.tanh(u), log_prob


class QFunction(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = mlp(obs_dim + act_dim, 1)

    def forward(self, obs, act):
        return self.net(torch.cat((obs, act), dim=1)).squeeze(1)


policy = GaussianPolicy()
critics = [QFunction() for _ in range(2)]
targets = [QFunction() for _ in range(2)]
for critic, target in zip(critics, targets):
    target.load_state_dict(critic.state_dict())
    target.requires_grad_(False)
critic_optimizers = [torch.optim.Adam(c.parameters(), lr=LEARNING_RATE) for c in critics]
policy_optimizer = torch.optim.Adam(policy.parameters(), lr=LEARNING_RATE)
log_alpha = torch.zeros((), requires_grad=True)
alpha_optimizer = torch.optim.Adam([log_alpha], lr=LEARNING_RATE)
target_entropy = -float(act_dim)

# The replay buffer: transitions of a plausible scale, drawn from uniformly.
replay_obs = torch.randn(REPLAY_SIZE, obs_dim)
replay_act = torch.rand(REPLAY_SIZE, act_dim) * 2 - 1
replay_rew = torch.randn(REPLAY_SIZE)
replay_next_obs = torch.randn(REPLAY_SIZE, obs_dim)
replay_done = (torch.rand(REPLAY_SIZE) < 0.001).float()


def update():
    rows = torch.randint(REPLAY_SIZE, (batch,))
    obs, act, rew = replay_obs[rows], replay_act[rows], replay_rew[rows]
    next_obs, done = replay_next_obs[rows], replay_done[rows]
    alpha = log_alpha.detach().exp()

    with torch.no_grad():
        next_act, next_log_prob = policy.sample(next_obs)
        next_q = torch.min(targets[0](next_obs, next_act), targets[1](next_obs, next_act))
        y = rew + DISCOUNT * (1.0 - done) * (next_q - alpha * next_log_prob)

    for critic, optimizer in zip(critics, critic_optimizers):
        loss = 0.5 * (critic(obs, act) - y).square().mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    with torch.no_grad():
        for critic, target in zip(critics, targets):
            for p, p_target in zip(critic.parameters(), target.parameters()):
                p_target.mul_(1.0 - TAU).add_(p, alpha=TAU)

    new_act, log_prob = policy.sample(obs)
    for critic in critics:
        critic.requires_grad_(False)
    q_new = torch.min(critics[0](obs, new_act), critics[1](obs, new_act))
    policy_loss = (alpha * log_prob - q_new).mean()
    policy_optimizer.zero_grad(set_to_none=True)
    policy_loss.backward()
    policy_optimizer.step()
    for critic in critics:
        critic.requires_grad_(True)

    alpha_loss = -(log_alpha * (log_prob.detach() + target_entropy)).mean()
    alpha_optimizer.zero_grad(set_to_none=True)
    alpha_loss.backward()
    alpha_optimizer.step()


# Warm up (allocator, first-call paths), then count whole updates.
for _ in range(20):
    update()
done = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    update()
    done += 1
print(f"updates_per_sec={done / (time.perf_counter() - start):.2f}")
