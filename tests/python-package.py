"""The Python package against softrl itself (TAP output for make check):
saved policies act as `softrl eval` does (deterministic and stochastic, every
shipped sampler, ddpg and td3, an lsp stack), environments stepped from
Python give `softrl env`'s rewards, load_run/load_sweep group runs as
`softrl summarize` does, and the README's Python example runs as printed.
Run with the package on PYTHONPATH and SOFTRL_BIN naming the program."""
import csv
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

import softrl

SOFTRL = os.environ["SOFTRL_BIN"]
TOP = os.environ.get("SOFTRL_SRCDIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
EXPERIMENTS = os.path.join(TOP, "experiments")
TINY = ["experiment.epochs=1", "experiment.steps_per_epoch=300", "experiment.initial_random_steps=100",
        "experiment.min_replay_size=100", "experiment.eval_episodes=0", "algorithm.batch_size=16",
        "algorithm.hidden_sizes=16;16"]
results = []


def check(ok, name, detail=""):
    results.append((bool(ok), name, detail))
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}" + (f"\n# {detail}" if detail and not ok else ""))
    sys.stdout.flush()


def softrl_cmd(*args):
    return subprocess.run([SOFTRL, *args], check=True, capture_output=True, text=True).stdout


def train(work, name, experiment, extra=()):
    out = os.path.join(work, name)
    sets = [a for s in TINY + list(extra) for a in ("--set", s)]
    softrl_cmd("run", os.path.join(EXPERIMENTS, experiment), *sets, "--out", out, "-q")
    return out


def eval_actions(run, mode, seed=5, episodes=2):
    path = os.path.join(run, f"actions-{mode}.csv")
    softrl_cmd("eval", run, f"--{mode}", "--seed", str(seed), "-n", str(episodes), "--actions", path,
               "--set", "env.max_episode_steps=60")
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return rows


def replay(run, rows, mode, seed=5, episodes=2):
    """The policy driven from Python through the same episodes: the worst
    action and observation differences from softrl eval's."""
    policy = softrl.load_policy(run)
    params = {k: v for k, v in policy.config["env"].items() if k not in ("plugin", "max_episode_steps")}
    env = softrl.make_env(policy.config["env"]["plugin"], max_episode_steps=60, **params)
    policy.set_action_bounds(env.action_space.low, env.action_space.high)
    obs_cols = [k for k in rows[0] if k.startswith("obs")]
    act_cols = [k for k in rows[0] if k.startswith("action")]
    worst_act = worst_obs = 0.0
    env.rng.seed(seed)
    terminated = truncated = False
    for row in rows:
        # Episodes end where softrl's did (its time limit may be the run's
        # max_path_length); a termination must come at the same step.
        if int(row["step"]) == 0:
            obs, _ = env.reset()
            memory = policy.new_memory()
        elif terminated:
            return worst_act, worst_obs, False
        noise = policy.draw_noise(env.rng, memory) if mode == "stochastic" else None
        action = policy.act(obs, noise, memory)
        worst_act = max(worst_act, float(np.max(np.abs(action - [float(row[c]) for c in act_cols]))))
        worst_obs = max(worst_obs, float(np.max(np.abs(obs - [float(row[c]) for c in obs_cols]))))
        native = policy.action_low + 0.5 * (np.clip(action.astype(np.float64), -1, 1) + 1.0) * (
            policy.action_high - policy.action_low)
        obs, _, terminated, truncated, _ = env.step(native)
    episodes_seen = sum(int(row["step"]) == 0 for row in rows)
    env.close()
    return worst_act, worst_obs, episodes_seen == episodes


def test_policies(work):
    runs = {
        "sac-gaussian": train(work, "sac", "pendulum-sac.ini", ["sampler.hidden_sizes=16;16"]),
        "sac-auto-realnvp": train(work, "realnvp", "pendulum-sac-auto.ini",
                                  ["sampler.plugin=realnvp", "sampler.hidden_sizes=16;16"]),
        "sql-svgd": train(work, "sql", "multigoal-sql.ini", ["sampler.hidden_sizes=16;16",
                                                              "algorithm.value_particles=4", "algorithm.updated_particles=4",
                                                              "algorithm.kernel_particles=4"]),
        "sql-svgd-ou-fixed-noise": train(work, "sql-ou", "multigoal-sql.ini",
                                         ["sampler.hidden_sizes=16;16", "algorithm.value_particles=4",
                                          "algorithm.updated_particles=4", "algorithm.kernel_particles=4",
                                          "algorithm.ou_noise=true", "algorithm.fixed_noise_samples=5",
                                          "algorithm.anneal_epochs=2"]),
        "ddpg": train(work, "ddpg", "pendulum-ddpg.ini"),
        "td3": train(work, "td3", "pendulum-td3.ini"),
    }
    runs["lsp-realnvp"] = train(work, "lsp", "pendulum-sac.ini",
                                ["algorithm.plugin=lsp", f"algorithm.layers={runs['sac-auto-realnvp']}",
                                 "sampler.plugin=realnvp", "sampler.hidden_sizes=16;16"])
    for name, run in runs.items():
        for mode in ("deterministic", "stochastic"):
            rows = eval_actions(run, mode)
            act, obs, same_length = replay(run, rows, mode)
            check(act < 1e-5 and obs < 1e-4 and same_length, f"{name} {mode}: Python acts as softrl eval",
                  f"worst action difference {act:g}, observation {obs:g}, same length {same_length}")
    # Held actions and one latent per episode (C.4's Ant maze options).
    held = train(work, "lsp-held", "pendulum-sac.ini",
                 ["algorithm.plugin=lsp", f"algorithm.layers={runs['sac-auto-realnvp']}", "algorithm.hold_steps=3",
                  "algorithm.latent_per_episode=true", "sampler.plugin=realnvp", "sampler.hidden_sizes=16;16"])
    for mode in ("deterministic", "stochastic"):
        rows = eval_actions(held, mode)
        act, obs, same_length = replay(held, rows, mode)
        check(act < 1e-5 and obs < 1e-4 and same_length, f"lsp hold_steps 3, latent per episode, {mode}: as softrl eval",
              f"worst action difference {act:g}, observation {obs:g}, same length {same_length}")
    return runs


def test_policy_file_checks(work, run):
    path = os.path.join(run, "policy.safetensors")
    data = bytearray(open(path, "rb").read())
    data[-1] ^= 1
    bad = os.path.join(work, "bad")
    os.makedirs(bad)
    for f in ("config.ini",):
        open(os.path.join(bad, f), "w").write(open(os.path.join(run, f)).read())
    open(os.path.join(bad, "policy.safetensors"), "wb").write(bytes(data))
    try:
        softrl.load_policy(bad)
        check(False, "a damaged policy file is refused")
    except softrl.SoftrlError as e:
        check("checksum mismatch" in str(e) and "policy.safetensors" in str(e), "a damaged policy file is refused",
              str(e))
    open(os.path.join(bad, "policy.safetensors"), "wb").write(b"\xff" * 20)
    try:
        softrl.load_policy(bad)
        check(False, "a malformed header is refused")
    except softrl.SoftrlError as e:
        check("header length" in str(e), "a malformed header is refused", str(e))


def test_bad_run_files(work):
    bad = os.path.join(work, "bad-run")
    os.makedirs(bad)
    with open(os.path.join(bad, "config.ini"), "w") as f:
        f.write("[experiment]\n# seed (integer)\nseed = 1\n")
    with open(os.path.join(bad, "progress.csv"), "w") as f:
        f.write("epoch,eval_return_mean\n1,-100\n2,oops\n")
    try:
        softrl.load_run(bad)
        check(False, "a progress.csv cell that is not a number is refused")
    except softrl.SoftrlError as e:
        check("progress.csv: line 3, column eval_return_mean" in str(e),
              "a progress.csv cell that is not a number is refused", str(e))
    with open(os.path.join(bad, "config.ini"), "w") as f:
        f.write("[experiment]\n# seed (integer)\nseed = one\n")
    os.remove(os.path.join(bad, "progress.csv"))
    try:
        softrl.load_run(bad)
        check(False, "a config.ini value of the wrong type is refused")
    except softrl.SoftrlError as e:
        check("config.ini: [experiment] seed" in str(e), "a config.ini value of the wrong type is refused", str(e))


def test_env_matches_softrl_env(name, steps, seed):
    out = softrl_cmd("env", name, "--steps", str(steps), "--seed", str(seed))
    mean_reward = float(re.search(r"mean reward\s+(\S+)", out).group(1))
    mean_return = re.search(r"mean return\s+(\S+)", out)
    env = softrl.make_env(name)
    low, high = env.action_space.low, env.action_space.high
    obs, _ = env.reset(seed=seed)
    total = episode = returns = 0.0
    episodes = 0
    for _ in range(steps):
        a = env.rng.fill_uniform(env.act_dim, -1.0, 1.0).astype(np.float64)
        obs, reward, terminated, truncated, info = env.step(low + 0.5 * (np.clip(a, -1, 1) + 1.0) * (high - low))
        if "invalid" not in info:
            total += reward
            episode += reward
        if terminated or truncated:
            returns += episode
            episodes += 1
            episode = 0.0
            env.reset()
    ok = f"{total / steps:.6g}" == f"{mean_reward:.6g}"
    if mean_return:
        ok = ok and f"{returns / episodes:.6g}" == mean_return.group(1)
    check(ok and env.observation_space.shape == (env.obs_dim,) and env.action_space.dtype == np.float64,
          f"{name}: stepped from Python, softrl env's rewards",
          f"python {total / steps:.6g} / {returns / max(episodes, 1):.6g}, softrl {out}")
    env.close()


def test_out_of_tree_plugin(work):
    """An environment plugin found through SOFTRL_PLUGIN_PATH (the test
    suite's toy: x ← x + gain·a, reward −x², x₀ uniform from the seed), in a
    fresh interpreter since the registry is loaded once per process."""
    plugins = os.path.join(work, "plugins")
    os.makedirs(plugins)
    os.symlink(os.path.join(os.environ["SOFTRL_TEST_PLUGINS"], "toy-a.so"), os.path.join(plugins, "toy-a.so"))
    code = ("import softrl\n"
            "env = softrl.make_env('toy', gain=2)\n"
            "obs, _ = env.reset(seed=7)\n"
            "x0 = softrl.Rng(7).uniform()\n"
            "obs2, reward, term, trunc, _ = env.step([0.25])\n"
            "assert abs(obs[0] - x0) < 1e-15 and abs(obs2[0] - (x0 + 0.5)) < 1e-12, (obs, obs2, x0)\n"
            "assert reward == -obs2[0] ** 2 and not term and not trunc\n"
            "assert env.action_space.shape == (1,) and list(env.action_space.high) == [1.0]\n"
            "try:\n    softrl.make_env('toy', gain=20)\nexcept softrl.SoftrlError as e:\n    print(e)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, SOFTRL_PLUGIN_PATH=plugins))
    check(proc.returncode == 0 and "gain" in proc.stdout, "an out-of-tree environment plugin from Python",
          proc.stdout + proc.stderr)


GYMNASIUM_STAND_IN = """
# A stand-in with the few names of Gymnasium's API the package uses (the
# real package is not a Debian package): Env, spaces.Box, register and
# envs.registry, enough to check what the package does when it is there.
import types
class Env:
    def reset(self, *, seed=None, options=None):
        self.seeded = seed
class Box:
    def __init__(self, low, high, shape, dtype):
        self.low, self.high, self.shape, self.dtype = low, high, shape, dtype
spaces = types.SimpleNamespace(Box=Box)
envs = types.SimpleNamespace(registry={})
def register(id, entry_point, kwargs):
    envs.registry[id] = (entry_point, kwargs)
def make(id):
    entry_point, kwargs = envs.registry[id]
    return entry_point(**kwargs)
"""


def test_with_gymnasium(work):
    """With gymnasium importable: gymnasium.Env subclasses, registered as
    softrl/NAME, spaces from gymnasium.spaces."""
    stand_in = os.path.join(work, "gym")
    os.makedirs(os.path.join(stand_in, "gymnasium"))
    with open(os.path.join(stand_in, "gymnasium", "__init__.py"), "w") as f:
        f.write(GYMNASIUM_STAND_IN)
    code = ("import gymnasium, softrl\n"
            "env = gymnasium.make('softrl/pendulum')\n"
            "assert isinstance(env, gymnasium.Env) and isinstance(env.action_space, gymnasium.spaces.Box)\n"
            "obs, info = env.reset(seed=3)\n"
            "assert env.seeded == 3 and obs.shape == (3,)\n"
            "assert set(gymnasium.envs.registry) == {'softrl/' + n for n in softrl.env_names()}\n"
            "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=stand_in + os.pathsep + os.environ.get("PYTHONPATH", "")))
    check(proc.returncode == 0 and proc.stdout.strip() == "ok", "with gymnasium: Env subclasses registered as softrl/NAME",
          proc.stdout + proc.stderr)


def test_sweep(work):
    sweep_file = os.path.join(work, "tiny.ini")
    with open(sweep_file, "w") as f:
        f.write(f"[sweep]\nexperiment = {os.path.join(EXPERIMENTS, 'pendulum-sac.ini')}\nseeds = 1;2\n"
                "algorithm.reward_scale = 1;5\nexperiment.epochs = 2\nexperiment.steps_per_epoch = 150\n"
                "experiment.initial_random_steps = 100\nexperiment.min_replay_size = 100\n"
                "experiment.eval_episodes = 1\nalgorithm.batch_size = 8\nthreshold = -1500\n")
    out = os.path.join(work, "sweep")
    softrl_cmd("sweep", sweep_file, "--out", out, "-j", "2")
    softrl_cmd("summarize", out)
    with open(os.path.join(out, "summary.csv")) as f:
        summary = list(csv.DictReader(f))
    sweep = softrl.load_sweep(out)
    ok = sweep.title == "tiny" and sweep.threshold == -1500 and len(sweep.variants) == len(summary)
    for v, row in zip(sweep.variants, summary):
        finished = [r for r in v.runs if r.status == "finished"]
        final = np.mean([r.progress["eval_return_mean"][-1] for r in finished])
        ok = ok and v.name == row["variant"] and v.label == row["label"] and len(v.runs) == int(row["runs"])
        ok = ok and len(finished) == int(row["finished"]) and abs(final - float(row["final_mean"])) <= 1e-6 * abs(final)
    check(ok, "load_sweep groups a sweep as softrl summarize does",
          f"{[(v.name, v.label, len(v.runs)) for v in sweep.variants]} vs {summary}")
    run = softrl.load_run(sweep.variants[0].runs[0].dir)
    ok = (run.status == "finished" and run.config["algorithm"]["reward_scale"] == 1.0
          and run.config["algorithm"]["hidden_sizes"] == [256, 256] and run.config["experiment"]["seed"] == 1
          and list(run.progress["epoch"]) == [1.0, 2.0] and run.progress["env_steps"].dtype == np.float64)
    check(ok, "load_run reads config, progress and status", repr(run.config.get("algorithm")))


def test_plain_runs(work, runs):
    """A directory of plain runs: one variant per experiment and settings."""
    plain = os.path.join(work, "plain")
    os.makedirs(plain)
    for name in ("a", "b"):
        softrl_cmd("run", os.path.join(EXPERIMENTS, "pendulum-sac.ini"),
                   *[x for s in TINY + ["experiment.eval_episodes=1", f"algorithm.reward_scale={1 if name == 'a' else 2}"]
                     for x in ("--set", s)], "--out", os.path.join(plain, name), "-q")
    softrl_cmd("summarize", plain)
    with open(os.path.join(plain, "summary.csv")) as f:
        labels = [row["label"] for row in csv.DictReader(f)]
    got = [v.label for v in softrl.load_sweep(plain).variants]
    check(got == labels, "load_sweep labels plain runs as softrl summarize does", f"{got} vs {labels}")


def test_readme_example(work, run):
    readme = open(os.path.join(TOP, "README.md"), encoding="utf-8").read()
    m = re.search(r"<!-- python-example -->\s*```python\n(.*?)```", readme, re.S)
    if not m:
        check(False, "the README's Python example runs", "no <!-- python-example --> block in README.md")
        return
    code = m.group(1)
    cwd = os.getcwd()
    os.makedirs(os.path.join(work, "readme", "runs"))
    os.symlink(run, os.path.join(work, "readme", "runs", "pendulum-sac"))
    os.chdir(os.path.join(work, "readme"))
    try:
        namespace = {}
        exec(compile(code, "README.md", "exec"), namespace)
        check(len(code.strip().splitlines()) == 5, "the README's Python example runs and is five lines")
    except Exception as e:
        check(False, "the README's Python example runs", f"{type(e).__name__}: {e}")
    finally:
        os.chdir(cwd)


def main():
    with tempfile.TemporaryDirectory() as work:
        runs = test_policies(work)
        test_policy_file_checks(work, runs["sac-gaussian"])
        test_bad_run_files(work)
        test_env_matches_softrl_env("pendulum", 1000, 3)
        if "halfcheetah" in softrl.env_names():
            test_env_matches_softrl_env("halfcheetah", 1200, 4)
        test_out_of_tree_plugin(work)
        test_with_gymnasium(work)
        test_sweep(work)
        test_plain_runs(work, runs)
        test_readme_example(work, runs["sac-gaussian"])
    print(f"1..{len(results)}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
