"""What the Python binding adds per environment step over the C step.

For each environment, microseconds per step (medians of --rounds
interleaved rounds of --steps steps, resets at the time limit, actions
prepared beforehand) of:
env.step() from Python (the binding as users call it); srl_env_step called
through ctypes with nothing else (the foreign call's floor); and, with
--softrl PATH, the C step itself as `softrl bench env NAME` measures it
(random actions, resets included), with the difference: what Python adds.  Run with the package on PYTHONPATH:

    PYTHONPATH=python python3 python/bench_env.py --softrl core/softrl pendulum halfcheetah
"""
import argparse
import re
import subprocess
import time

import numpy as np

import softrl


def python_step_us(env, steps, actions):
    env.reset(seed=0)
    start = time.perf_counter()
    for i in range(steps):
        _, _, terminated, truncated, _ = env.step(actions[i % len(actions)])
        if terminated or truncated:
            env.reset()
    return (time.perf_counter() - start) / steps * 1e6


def raw_call_us(env, steps, actions):
    """srl_env_step through ctypes with no Python-side work: the C step plus
    the foreign call itself."""
    env.reset(seed=0)
    step, e, rng, a, o, r = env._step_fn, env._env, env._rng_p, env._action_p, env._obs_p, env._reward_p
    limit = env.max_episode_steps or 1000
    start = time.perf_counter()
    done = 0
    while done < steps:
        n = min(limit, steps - done)
        for _ in range(n):
            step(e, rng, a, o, r)
        env.reset()
        done += n
    return (time.perf_counter() - start) / steps * 1e6


def c_step_us(softrl_bin, name):
    return subprocess.run([softrl_bin, "bench", "env", name], capture_output=True, text=True, check=True).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", default=["pendulum", "halfcheetah"])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--softrl", help="the softrl program, for `softrl bench env NAME`'s C figures")
    args = parser.parse_args()
    for name in args.names:
        env = softrl.make_env(name)
        rng = np.random.default_rng(0)
        actions = rng.uniform(env.action_space.low, env.action_space.high, size=(1000, env.act_dim))
        raw_call_us(env, 1000, actions)  # warm up
        # Interleaved rounds and medians: the machine's load drifts.
        py_rounds, raw_rounds = [], []
        for _ in range(args.rounds):
            py_rounds.append(python_step_us(env, args.steps, actions))
            raw_rounds.append(raw_call_us(env, args.steps, actions))
        py, raw = float(np.median(py_rounds)), float(np.median(raw_rounds))
        print(f"{name}: env.step() from Python {py:.2f} µs/step; srl_env_step through bare ctypes {raw:.2f} µs/step; "
              f"the binding's own work {py - raw:.2f} µs/step")
        if args.softrl:
            out = c_step_us(args.softrl, name)
            m = re.search(r"environment steps per second\s+(\d+)", out)
            if m:
                c = 1e6 / float(m.group(1))
                print(f"  softrl bench env {name}: {c:.2f} µs/step in C; Python adds {py - c:.2f} µs/step")
        env.close()


if __name__ == "__main__":
    main()
