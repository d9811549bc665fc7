"""softrl from Python: runs, sweeps, saved policies and environments.

    import softrl
    run = softrl.load_run("runs/pendulum-sac")         # config, progress, status
    policy = softrl.load_policy("runs/pendulum-sac")   # acts in numpy
    env = softrl.make_env("pendulum")                  # Gymnasium's API
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(policy.env_action(obs))

Only numpy is needed; environments also need libsoftrl (found in the build
tree or where softrl is installed).
"""
from .errors import SoftrlError
from .policy import Policy, load_policy
from .results import Run, Sweep, Variant, load_run, load_sweep
from .rng import Rng


def make_env(name, **params):
    """softrl environment `name` with Gymnasium's API (see softrl.env)."""
    from .env import make_env as _make_env
    return _make_env(name, **params)


def env_names():
    """Every environment plugin softrl finds."""
    from .env import env_names as _env_names
    return _env_names()


def _register():
    try:
        import gymnasium  # noqa: F401
    except ImportError:
        return
    from .env import register_gymnasium
    try:
        register_gymnasium()
    except SoftrlError:
        pass  # no libsoftrl: the numpy parts still work


_register()

__all__ = ["SoftrlError", "Policy", "load_policy", "Run", "Sweep", "Variant", "load_run", "load_sweep", "Rng",
           "make_env", "env_names"]
