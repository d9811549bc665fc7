"""softrl's environments through libsoftrl, with Gymnasium's API.

make_env(NAME, **params) creates environment plugin NAME (shipped or out of
tree, found as softrl finds plugins) with its parameters validated as an
experiment's [env] group.  reset(seed=…) → (obs, info); step(action) →
(obs, reward, terminated, truncated, info), truncated at the environment's
time limit (max_episode_steps, or the max_episode_steps argument);
observation_space / action_space have shape, low, high and dtype.  Actions
are in the environment's own units (action_space's bounds; softrl clips to
them).  With gymnasium importable the environments are gymnasium.Env
subclasses with gymnasium.spaces.Box spaces, registered as "softrl/NAME";
without it they keep the same API with a small Box of their own.

Each environment owns its SrlRng, the only source of its randomness:
reset(seed=S) seeds it as softrl seeds a run's generator (srl_rng_init), and
`rng` is a softrl.Rng over the same state words, so drawing from it (actions,
a policy's noise) interleaves with the environment's draws exactly as
`softrl env` and `softrl eval` do.
"""
import ctypes

import numpy as np

from . import _library
from .errors import SoftrlError
from .rng import Rng

try:
    import gymnasium
    from gymnasium import spaces as _spaces
except ImportError:
    gymnasium = None
    _spaces = None


class Box:
    """A box of float64 values, as gymnasium.spaces.Box (without gymnasium)."""

    def __init__(self, low, high, shape, dtype=np.float64):
        self.low = np.broadcast_to(np.asarray(low, dtype=dtype), shape).copy()
        self.high = np.broadcast_to(np.asarray(high, dtype=dtype), shape).copy()
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        self._rng = np.random.default_rng()

    def sample(self):
        low = np.where(np.isfinite(self.low), self.low, -1.0)
        high = np.where(np.isfinite(self.high), self.high, 1.0)
        return self._rng.uniform(low, high).astype(self.dtype)

    def contains(self, x):
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all(x >= self.low) and np.all(x <= self.high))

    def __repr__(self):
        return f"Box({self.low}, {self.high}, {self.shape}, {self.dtype})"


def _box(low, high, shape):
    if _spaces is not None:
        return _spaces.Box(low=np.asarray(low, dtype=np.float64), high=np.asarray(high, dtype=np.float64),
                           shape=shape, dtype=np.float64)
    return Box(low, high, shape)


def _setting(key, value):
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, tuple)):
        text = ";".join(str(v) for v in value)
    else:
        text = str(value)
    return f"{key}={text}".encode()


class _SoftrlEnv:
    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, name, max_episode_steps=None, **params):
        lib = _library.library()
        self._lib = lib
        self.name = name
        settings = (ctypes.c_char_p * (len(params) + 1))(*[_setting(k, v) for k, v in params.items()], None)
        error = ctypes.POINTER(_library.GError)()
        self._binding = lib.srl_env_binding_new(_library.registry(), name.encode(), settings, ctypes.byref(error))
        if not self._binding:
            raise SoftrlError(_library.take_error(error))
        self._env = lib.srl_env_binding_env(self._binding)
        spec = lib.srl_env_spec(self._env).contents
        self.obs_dim, self.act_dim = spec.obs_dim, spec.act_dim
        low = np.array(spec.act_low[:self.act_dim], dtype=np.float64)
        high = np.array(spec.act_high[:self.act_dim], dtype=np.float64)
        self.observation_space = _box(-np.inf, np.inf, (self.obs_dim,))
        self.action_space = _box(low, high, (self.act_dim,))
        self.max_episode_steps = max_episode_steps if max_episode_steps is not None else spec.max_episode_steps
        names = []
        if spec.info_names:
            i = 0
            while spec.info_names[i]:
                names.append(spec.info_names[i].decode())
                i += 1
        self.info_names = names
        self._rng_struct = _library.SrlRng()
        self.rng = Rng(seed=None, words=self._rng_struct.s)
        lib.srl_rng_init(ctypes.byref(self._rng_struct), 0)
        self._obs = np.zeros(self.obs_dim, dtype=np.float64)
        self._action = np.zeros(self.act_dim, dtype=np.float64)
        self._info = np.zeros(max(len(names), 1), dtype=np.float64)
        self._reward = ctypes.c_double()
        self._obs_p = self._obs.ctypes.data_as(ctypes.c_void_p)
        self._action_p = self._action.ctypes.data_as(ctypes.c_void_p)
        self._rng_p = ctypes.byref(self._rng_struct)
        self._reward_p = ctypes.byref(self._reward)
        self._step_fn = lib.srl_env_step
        self._t = 0

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            if not isinstance(seed, (int, np.integer)) or seed < 0:
                raise SoftrlError(f"{self.name}: reset seed must be a non-negative integer, got {seed!r}")
            self._lib.srl_rng_init(self._rng_p, int(seed))
        self._lib.srl_env_reset(self._env, self._rng_p, self._obs_p)
        self._t = 0
        return self._obs.copy(), {}

    def step(self, action):
        self._action[:] = action
        status = self._step_fn(self._env, self._rng_p, self._action_p, self._obs_p, self._reward_p)
        self._t += 1
        info = {}
        if status == 2:
            info["invalid"] = self._lib.srl_env_invalid_reason(self._env).decode("utf-8", "replace")
        terminated = status != 0
        truncated = not terminated and self.max_episode_steps > 0 and self._t >= self.max_episode_steps
        if (terminated or truncated) and self.info_names:
            self._lib.srl_env_episode_info(self._env, self._info.ctypes.data_as(ctypes.c_void_p))
            info.update(zip(self.info_names, self._info.tolist()))
        return self._obs.copy(), self._reward.value, terminated, truncated, info

    def close(self):
        if getattr(self, "_binding", None):
            self._lib.srl_env_binding_free(self._binding)
            self._binding = None

    def __del__(self):
        self.close()

    def render(self):
        return None


if gymnasium is not None:
    class SoftrlEnv(_SoftrlEnv, gymnasium.Env):
        """A softrl environment as a gymnasium.Env."""

        def reset(self, *, seed=None, options=None):
            gymnasium.Env.reset(self, seed=seed)  # seeds np_random, as Gymnasium asks
            return _SoftrlEnv.reset(self, seed=seed, options=options)
else:
    class SoftrlEnv(_SoftrlEnv):
        """A softrl environment with Gymnasium's API (gymnasium is not installed)."""


def make_env(name, **params):
    """Environment plugin `name` with parameters `params` (as in an
    experiment's [env] group; max_episode_steps is the time limit)."""
    return SoftrlEnv(name, **params)


def env_names():
    """The names of every environment plugin softrl finds."""
    lib = _library.library()
    array = lib.srl_registry_list(_library.registry(), _library.SRL_KIND_ENV)

    class GPtrArray(ctypes.Structure):
        _fields_ = [("pdata", ctypes.POINTER(ctypes.c_void_p)), ("len", ctypes.c_uint)]

    class Info(ctypes.Structure):  # the head of SrlPluginInfo
        _fields_ = [("abi_major", ctypes.c_uint32), ("abi_minor", ctypes.c_uint32), ("size", ctypes.c_uint32),
                    ("kind", ctypes.c_uint32), ("name", ctypes.c_char_p)]

    a = ctypes.cast(array, ctypes.POINTER(GPtrArray)).contents
    names = [ctypes.cast(a.pdata[i], ctypes.POINTER(Info)).contents.name.decode() for i in range(a.len)]
    lib.glib.g_ptr_array_unref(array)
    return names


def register_gymnasium():
    """Register every softrl environment with gymnasium as "softrl/NAME"."""
    if gymnasium is None:
        return
    for name in env_names():
        env_id = f"softrl/{name}"
        if env_id not in gymnasium.envs.registry:
            gymnasium.register(id=env_id, entry_point=SoftrlEnv, kwargs={"name": name})
