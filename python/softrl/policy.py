"""A saved softrl policy acting in numpy, as softrl's act() does.

load_policy(RUNDIR) reads RUNDIR/config.ini (which algorithm and sampler,
with their parameters) and RUNDIR/policy.safetensors (the weights), and
returns a Policy whose act(obs, noise) gives the action softrl's act()
passes to the environment, in [-1, 1] per coordinate:

  sampler policies (sac, sac-auto, sql, lsp):  a = f_φ(ξ; s)
    gaussian  [μ, log σ] = MLP(s), log σ clamped;  a = tanh(μ + σ ξ)
    realnvp   e = E(s); x₀ = ξ; each coupling scales and shifts one half of
              x by exp(σ([x_keep, e])) and μ([x_keep, e]);  a = tanh(x_K)
    svgd      a = tanh(MLP([s, ξ]))
    lsp       this layer's latent through the saved layers below it
              (each a sampler), clamped to [-1, 1]
  ddpg, td3:  a = tanh-MLP(s), plus clamp(a + σ ε) exploration noise

`noise=None` is the deterministic action (ξ = 0, no exploration noise);
otherwise `noise` holds the floats a stochastic act() draws, in the order
softrl draws them: draw_noise(rng) draws them from a softrl.Rng exactly as
softrl does (ξ, then the Ornstein–Uhlenbeck innovations when the run uses
them).  sql's Ornstein–Uhlenbeck noise is training's only: softrl's
evaluation (eval --stochastic) samples without it, and so do draw_noise and
act unless given training=True.  What softrl's act() keeps through an episode (OU noise, lsp's
held action and per-episode latent) lives in `memory`, a float32 array of
memory_size values that act() updates; start each episode with new_memory()
(zeros, as softrl's reset).  Without memory an lsp policy decides afresh at
every step (hold_steps 1, a new latent each time).  Observations are used as float32,
as softrl casts them; env_action() maps the action onto the environment's
bounds as softrl's environment step does.
"""
import math
import os

import numpy as np

from .config import load_config
from .errors import SoftrlError
from .safetensors import StateFile

_NONLINEARITIES = {
    "relu": lambda x: np.maximum(x, np.float32(0)),
    "tanh": np.tanh,
    "linear": lambda x: x,
}


class Mlp:
    """Dense layers PREFIX l0 … lL, y = x·W + b with W stored [in, out]."""

    def __init__(self, state, prefix, hidden="relu", output="linear"):
        self.layers = []
        while f"{prefix}l{len(self.layers)}.weight" in state:
            k = len(self.layers)
            w, b = state[f"{prefix}l{k}.weight"], state[f"{prefix}l{k}.bias"]
            if w.dtype != np.float32 or w.ndim != 2 or b.shape != (w.shape[1],):
                raise SoftrlError(f"{state.path}: {prefix}l{k}: expected a float32 [in, out] weight and [out] bias, "
                                  f"got {w.shape} and {b.shape}")
            if self.layers and self.layers[-1][0].shape[1] != w.shape[0]:
                raise SoftrlError(f"{state.path}: {prefix}l{k}.weight has {w.shape[0]} inputs; the layer below has "
                                  f"{self.layers[-1][0].shape[1]} outputs")
            self.layers.append((w, b))
        if not self.layers:
            raise SoftrlError(f"{state.path}: no network \"{prefix}l0.weight\"")
        self.hidden, self.output = _NONLINEARITIES[hidden], _NONLINEARITIES[output]
        self.n_in, self.n_out = self.layers[0][0].shape[0], self.layers[-1][0].shape[1]

    def __call__(self, x):
        for k, (w, b) in enumerate(self.layers):
            x = x @ w + b
            x = self.output(x) if k == len(self.layers) - 1 else self.hidden(x)
        return x


def _expect(path, what, got, expected):
    if got != expected:
        raise SoftrlError(f"{path}: {what} is {got}, expected {expected}")


class GaussianSampler:
    def __init__(self, state, params, obs_dim, act_dim, squash):
        self.net = Mlp(state, "policy.mlp.", "relu", "linear")
        _expect(state.path, "the input size of policy.mlp", self.net.n_in, obs_dim)
        _expect(state.path, "the output size of policy.mlp", self.net.n_out, 2 * act_dim)
        self.lo, self.hi = params.number("log_std_min"), params.number("log_std_max")
        self.act_dim, self.noise_dim, self.squash = act_dim, act_dim, squash

    def sample(self, obs, noise):
        out = self.net(obs)
        mean, log_std = out[..., :self.act_dim], np.clip(out[..., self.act_dim:], self.lo, self.hi)
        u = mean + np.exp(log_std) * noise
        return np.tanh(u) if self.squash else u


class SvgdSampler:
    def __init__(self, state, params, obs_dim, act_dim, squash):
        self.net = Mlp(state, "policy.mlp.", "relu", "linear")
        _expect(state.path, "the input size of policy.mlp", self.net.n_in, obs_dim + act_dim)
        _expect(state.path, "the output size of policy.mlp", self.net.n_out, act_dim)
        self.act_dim, self.noise_dim, self.squash = act_dim, act_dim, squash

    def sample(self, obs, noise):
        out = self.net(np.concatenate([obs, noise], axis=-1))
        return np.tanh(out) if self.squash else out


class RealNvpSampler:
    def __init__(self, state, params, obs_dim, act_dim, squash):
        for key, allowed in (("embedding_nl", ("relu", "tanh", "linear")), ("coupling_nl", ("relu", "tanh"))):
            if params[key] not in allowed:
                raise SoftrlError(f"{params.path}: [sampler] {key}: expected one of {', '.join(allowed)}, "
                                  f"got {params[key]!r}")
        self.embed = Mlp(state, "policy.embed.", "relu", params["embedding_nl"])
        _expect(state.path, "the input size of policy.embed", self.embed.n_in, obs_dim)
        squash_param = params["squash"]
        self.squash = squash if squash_param == "auto" else squash_param in ("true", True)
        self.max_log_scale = params.number("max_log_scale")
        first = act_dim // 2
        self.couplings = []
        for k in range(int(params.number("coupling_layers"))):
            second = k % 2 == 0
            trans = (first, act_dim) if second else (0, first)
            keep = (0, first) if second else (first, act_dim)
            if trans[1] == trans[0]:
                continue
            scale = Mlp(state, f"policy.coupling{k}.scale.", params["coupling_nl"], "linear")
            shift = Mlp(state, f"policy.coupling{k}.shift.", params["coupling_nl"], "linear")
            for name, net in (("scale", scale), ("shift", shift)):
                _expect(state.path, f"the input size of policy.coupling{k}.{name}", net.n_in,
                        keep[1] - keep[0] + self.embed.n_out)
                _expect(state.path, f"the output size of policy.coupling{k}.{name}", net.n_out, trans[1] - trans[0])
            self.couplings.append((keep, trans, scale, shift))
        self.act_dim, self.noise_dim = act_dim, act_dim

    def sample(self, obs, noise):
        emb = self.embed(obs)
        x = np.array(noise, dtype=np.float32, copy=True)
        for keep, trans, scale, shift in self.couplings:
            inp = np.concatenate([x[..., keep[0]:keep[1]], emb], axis=-1)
            sigma = scale(inp)
            if self.max_log_scale > 0:
                sigma = self.max_log_scale * np.tanh(sigma / self.max_log_scale)
            x[..., trans[0]:trans[1]] = x[..., trans[0]:trans[1]] * np.exp(sigma) + shift(inp)
        return np.tanh(x) if self.squash else x


SAMPLERS = {"gaussian": GaussianSampler, "realnvp": RealNvpSampler, "svgd": SvgdSampler}
SAMPLER_ALGORITHMS = ("sac", "sac-auto", "sql", "lsp")
ACTOR_ALGORITHMS = ("ddpg", "td3")


class _Params:
    """A config group whose missing or mistyped keys raise SoftrlError
    naming the file, group and key."""

    def __init__(self, config, group, path):
        self.values, self.group, self.path = config.get(group, {}), group, path

    def get(self, key, default=None):
        return self.values.get(key, default)

    def __getitem__(self, key):
        if key not in self.values:
            raise SoftrlError(f"{self.path}: [{self.group}] {key}: missing")
        value = self.values[key]
        return value

    def number(self, key):
        value = self[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise SoftrlError(f"{self.path}: [{self.group}] {key}: expected a finite number, got {value!r}")
        return np.float32(value)

    def __contains__(self, key):
        return key in self.values


class Policy:
    """The acting part of a run.  Attributes: `algorithm`, `sampler` (None
    for ddpg/td3), `obs_dim`, `act_dim`, `noise_size` (floats a stochastic
    act() reads), `memory_size`, `config` (the run's resolved config), and
    `layers` (lsp: the Policy of each layer below, bottom first)."""

    def __init__(self, run_dir, env_actions=True, _below=()):
        self.run_dir = str(run_dir)
        config_path = os.path.join(self.run_dir, "config.ini")
        self.config = load_config(config_path)
        self.state = StateFile(os.path.join(self.run_dir, "policy.safetensors"))
        alg = _Params(self.config, "algorithm", config_path)
        self.algorithm = alg["plugin"]
        for key, named in (("algorithm", self.algorithm), ("sampler", self.config.get("sampler", {}).get("plugin"))):
            saved = self.state.metadata.get(key)
            if saved is not None and saved != named:
                raise SoftrlError(f"{self.state.path}: saved by {key} {saved!r}, but {config_path} names {named!r}")
        self.action_low = self.action_high = None
        self.layers = []
        self.memory_size = 0
        self.ou = None
        if self.algorithm in ACTOR_ALGORITHMS:
            self.sampler = None
            self.actor = Mlp(self.state, "policy.", "relu", "tanh")
            self.obs_dim, self.act_dim = self.actor.n_in, self.actor.n_out
            self.sigma = alg.number("exploration_sigma")
            if alg["exploration"] == "ou":
                self.ou = (alg.number("ou_theta"), None)
                self.memory_size = self.act_dim
            self.noise_size = self.act_dim
            return
        if self.algorithm not in SAMPLER_ALGORITHMS:
            raise SoftrlError(f"{self.run_dir}/config.ini: [algorithm] plugin {self.algorithm!r} is not one this "
                              f"package can run (known: {', '.join(SAMPLER_ALGORITHMS + ACTOR_ALGORITHMS)})")
        sampler = _Params(self.config, "sampler", config_path)
        self.sampler = sampler["plugin"]
        if self.sampler not in SAMPLERS:
            raise SoftrlError(f"{self.run_dir}/config.ini: [sampler] plugin {self.sampler!r} is not one this package "
                              f"can run (known: {', '.join(SAMPLERS)})")
        self.obs_dim, self.act_dim = self._sizes()
        if self.algorithm == "lsp":
            below = alg.get("layers", [])
            here = os.path.realpath(self.run_dir)
            if here in _below or len(_below) > 64:
                raise SoftrlError(f"{config_path}: [algorithm] layers: {self.run_dir} is among its own layers")
            self.layers = [Policy(_layer_dir(self.run_dir, d), env_actions=(i == 0), _below=_below + (here,))
                           for i, d in enumerate(below)]
            env_actions = not below
            self.hold_steps = int(alg.number("hold_steps"))
            self.latent_per_episode = alg["latent_per_episode"] is True
            self.memory_size = 2 * self.act_dim + 2
            for i, layer in enumerate(self.layers):
                if (layer.obs_dim, layer.act_dim) != (self.obs_dim, self.act_dim):
                    raise SoftrlError(f"{self.run_dir}/config.ini: [algorithm] layers: layer {i} has "
                                      f"{layer.obs_dim} observations and {layer.act_dim} actions, this one "
                                      f"{self.obs_dim} and {self.act_dim}")
        self.net = SAMPLERS[self.sampler](self.state, sampler, self.obs_dim, self.act_dim, env_actions)
        self.noise_size = self.net.noise_dim
        if self.algorithm == "sql":
            self._sql_noise(alg)

    def _n_out(self, prefix):
        k = 0
        while f"{prefix}l{k + 1}.weight" in self.state:
            k += 1
        return self.state[f"{prefix}l{k}.weight"].shape[1]

    def _sizes(self):
        """Observation and action sizes, read off the saved networks."""
        if self.sampler == "gaussian":
            return self.state["policy.mlp.l0.weight"].shape[0], self._n_out("policy.mlp.") // 2
        if self.sampler == "svgd":
            act_dim = self._n_out("policy.mlp.")
            return self.state["policy.mlp.l0.weight"].shape[0] - act_dim, act_dim
        # realnvp: coupling 0 reads the first half ⌊|A|/2⌋ and the embedding
        # and transforms the rest.
        obs_dim = self.state["policy.embed.l0.weight"].shape[0]
        emb_dim = self._n_out("policy.embed.")
        first_half = self.state["policy.coupling0.scale.l0.weight"].shape[0] - emb_dim
        return obs_dim, first_half + self._n_out("policy.coupling0.scale.")

    def _sql_noise(self, alg):
        self.ou = (alg.number("ou_theta"), alg.number("ou_sigma")) if alg.get("ou_noise") else None
        self.memory_size = self.act_dim if self.ou else 0
        self.fixed_noise = None
        if "fixed_noise" in self.state:
            fixed = self.state["fixed_noise"]
            n = int(alg.number("fixed_noise_samples"))
            if fixed.dtype != np.float32 or fixed.size != n * self.noise_size:
                raise SoftrlError(f"{self.state.path}: fixed_noise holds {fixed.size} values, expected "
                                  f"{n} × {self.noise_size}")
            epochs_done = int(self.state["epochs_done"].reshape(-1)[0])
            anneal = int(alg.number("anneal_epochs"))
            t = min(1.0, epochs_done / anneal) if anneal > 0 else 0.0
            self.fixed_noise = fixed.reshape(n, self.noise_size)
            self.fixed_noise_count = int(max(1.0, math.floor(n - t * (n - 1.0) + 0.5)))
        if self.ou:
            self.noise_size += self.act_dim

    def new_memory(self):
        """The per-episode memory at an episode's start (zeros)."""
        return np.zeros(self.memory_size, dtype=np.float32)

    def draw_noise(self, rng, memory=None, training=False):
        """The floats a stochastic act() draws from `rng` (a softrl.Rng), in
        softrl's order, ready for act(obs, noise, memory).  lsp draws only
        when its held action ends (and, with latent_per_episode, once per
        episode): give the episode's `memory` and it returns zeros, drawing
        nothing, when softrl would not draw."""
        if self.algorithm in ACTOR_ALGORITHMS:
            return rng.fill_normal(self.act_dim)
        if self.algorithm == "lsp" and memory is not None and not self._lsp_draws(memory):
            return np.zeros(self.noise_size, dtype=np.float32)
        if self.algorithm == "sql" and self.fixed_noise is not None:
            xi = self.fixed_noise[rng.below(self.fixed_noise_count)].copy()
        else:
            xi = rng.fill_normal(self.net.noise_dim)
        if self.algorithm == "sql" and self.ou:
            if not training:
                return np.concatenate([xi, np.zeros(self.act_dim, dtype=np.float32)])
            ou = np.array([rng.normal() for _ in range(self.act_dim)], dtype=np.float32)
            return np.concatenate([xi, ou])
        return xi

    def act(self, obs, noise=None, memory=None, training=False):
        """softrl's action for `obs` (obs_dim values, or a batch of rows) in
        [-1, 1]: deterministic when `noise` is None, else stochastic with the
        given noise (noise_size values per row, see draw_noise)."""
        obs = np.asarray(obs, dtype=np.float32)
        if obs.shape[-1] != self.obs_dim:
            raise SoftrlError(f"{self.run_dir}: observations have {self.obs_dim} values, got shape {obs.shape}")
        rows = obs.shape[:-1]
        if noise is not None:
            noise = np.asarray(noise, dtype=np.float32)
            if noise.shape[-1] != self.noise_size:
                raise SoftrlError(f"{self.run_dir}: noise has {self.noise_size} values per row, got {noise.shape}")
        if memory is not None:
            memory = np.asarray(memory)
            if memory.dtype != np.float32 or memory.shape != (self.memory_size,):
                raise SoftrlError(f"{self.run_dir}: memory must be new_memory()'s float32 array of {self.memory_size}")
        elif noise is not None and self.memory_size and self.algorithm != "lsp" and (training or self.algorithm != "sql"):
            raise SoftrlError(f"{self.run_dir}: this policy's exploration keeps a memory; pass memory=new_memory()")
        if self.algorithm in ACTOR_ALGORITHMS:
            action = self.actor(obs)
            if noise is not None:
                step = self.sigma * noise
                if self.ou:
                    memory[...] = memory - self.ou[0] * memory + step
                    step = memory
                action = np.clip(action + step, np.float32(-1), np.float32(1))
            return action
        xi_dim = self.net.noise_dim
        xi = np.zeros(rows + (xi_dim,), dtype=np.float32) if noise is None else noise[..., :xi_dim]
        action = self.net.sample(obs, xi) if self.algorithm != "lsp" or memory is None else None
        if self.algorithm == "sql" and noise is not None and self.ou and training:
            theta, sigma = self.ou
            memory[...] = memory + (-theta * memory + sigma * noise[..., xi_dim:])
            action = np.clip(action + memory, np.float32(-1), np.float32(1))
        if self.algorithm == "lsp":
            if memory is not None:
                action = self._lsp_hold(obs, noise, memory)
            for layer in reversed(self.layers):
                action = layer.net.sample(obs, action)
            action = np.clip(action, np.float32(-1), np.float32(1))
        return action

    # lsp's per-episode memory, as lsp.c lays it out: the held action [0, A),
    # the steps it has been held [A], the episode's latent [A+1, 2A+1), and
    # whether that latent is drawn [2A+1].
    def _lsp_draws(self, memory):
        A = self.act_dim
        return memory[A] == 0 and not (self.latent_per_episode and memory[2 * A + 1] != 0)

    def _lsp_hold(self, obs, noise, memory):
        A = self.act_dim
        if obs.ndim != 1:
            raise SoftrlError(f"{self.run_dir}: an lsp policy with memory acts on one observation at a time")
        held, latent = memory[:A], memory[A + 1:2 * A + 1]
        if memory[A] == 0:
            if noise is None:
                xi = np.zeros(A, dtype=np.float32)
            elif self.latent_per_episode:
                if memory[2 * A + 1] == 0:
                    latent[:] = noise
                    memory[2 * A + 1] = 1
                xi = latent
            else:
                xi = noise
            held[:] = self.net.sample(obs, xi)
        memory[A] += 1
        if memory[A] >= self.hold_steps:
            memory[A] = 0
        return held.copy()

    def set_action_bounds(self, low, high):
        """The environment's action bounds, for env_action()."""
        self.action_low = np.asarray(low, dtype=np.float64).reshape(self.act_dim)
        self.action_high = np.asarray(high, dtype=np.float64).reshape(self.act_dim)

    def env_action(self, obs, noise=None, memory=None, training=False):
        """act(), mapped onto the environment's action bounds as softrl's
        step does: low + (a + 1)/2 · (high − low), in double precision.  The
        bounds are set_action_bounds()'s, or else the run's environment's,
        asked of libsoftrl."""
        if self.action_low is None:
            from .env import make_env
            env = make_env(self.config["env"]["plugin"],
                           **{k: v for k, v in self.config["env"].items() if k != "plugin"})
            self.set_action_bounds(env.action_space.low, env.action_space.high)
            env.close()
        a = np.clip(self.act(obs, noise, memory, training).astype(np.float64), -1.0, 1.0)
        return self.action_low + 0.5 * (a + 1.0) * (self.action_high - self.action_low)


def _layer_dir(run_dir, path):
    return path if os.path.isabs(path) else os.path.join(run_dir, path)


def load_policy(run_dir):
    """The Policy saved in `run_dir` (its config.ini and policy.safetensors)."""
    return Policy(run_dir)
