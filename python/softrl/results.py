"""Runs and sweeps as `softrl summarize` reads them (core/results.c).

load_run(DIR): one run directory — its resolved config, progress.csv as
numpy columns, status.  load_sweep(DIR): the runs under DIR grouped into
variants, as summarize groups them: a sweep directory's manifest.ini lists
its variants ([variant NAME] with a label) and runs ([run NAME]: variant,
dir, seed); a run directory, or a directory of run directories, groups runs
by experiment name and settings but the seed, each variant after the first
of an experiment labelled with the settings that set it apart.
"""
import math
import os

import numpy as np

from .config import load_config
from .errors import SoftrlError

RUN_FILES = ("config.ini", "checkpoint.safetensors", "progress.csv")


def _cell(text):
    s = text.strip()
    if not s or s.lower() in ("nan", "-nan"):
        return math.nan
    return float(s)


def read_table(path):
    """A CSV of numbers with a header (progress.csv): {column: float64 array},
    in the header's order; "nan" and empty cells are NaN."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except (OSError, UnicodeDecodeError) as e:
        raise SoftrlError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    if not lines[0].strip():
        raise SoftrlError(f"{path}: empty; expected a header line")
    columns = [c.strip() for c in lines[0].strip().split(",")]
    rows = []
    for number, line in enumerate(lines[1:], 2):
        line = line.strip()
        if not line:
            continue
        cells = line.split(",")
        if len(cells) != len(columns):
            raise SoftrlError(f"{path}: line {number}: {len(cells)} cells where the header has {len(columns)}")
        row = []
        for name, cell in zip(columns, cells):
            try:
                row.append(_cell(cell))
            except ValueError:
                raise SoftrlError(f"{path}: line {number}, column {name}: \"{cell}\" is not a number") from None
        rows.append(row)
    values = np.array(rows, dtype=np.float64).reshape(len(rows), len(columns))
    return {name: values[:, c] for c, name in enumerate(columns)}


class Run:
    """A run directory: `dir`, `name` (its base name), `seed`, `status` (the
    status file's first line, "" when missing), `config` ({group: {key:
    value}}, {} when config.ini is missing), `progress` ({column: array},
    None before the first epoch)."""

    def __init__(self, path, seed=None):
        self.dir = str(path)
        self.name = os.path.basename(os.path.normpath(self.dir))
        try:
            with open(os.path.join(self.dir, "status"), encoding="utf-8", errors="replace") as f:
                self.status = f.read().split("\n", 1)[0].strip()
        except OSError:
            self.status = ""
        config_path = os.path.join(self.dir, "config.ini")
        self.config = load_config(config_path) if os.path.isfile(config_path) else {}
        progress = os.path.join(self.dir, "progress.csv")
        self.progress = read_table(progress) if os.path.exists(progress) else None
        if seed is None:
            seed = self.config.get("experiment", {}).get("seed", 0)
        self.seed = seed if isinstance(seed, int) else 0

    def __repr__(self):
        return f"Run({self.dir!r}, status={self.status!r})"


class Variant:
    """A group of runs differing only in their seeds: `name`, `label`,
    `runs` (list of Run), `settings` (runs outside a sweep: "group.key=value"
    strings but the seed, sorted; None in a sweep)."""

    def __init__(self, name, label, settings=None):
        self.name, self.label, self.settings, self.runs = name, label, settings, []

    def __repr__(self):
        return f"Variant({self.label!r}, {len(self.runs)} runs)"


class Sweep:
    """`variants` (list of Variant, in the order first seen), `title` (the
    sweep's name for a sweep directory, else None) and `threshold` (the sweep
    file's, or None)."""

    def __init__(self):
        self.variants, self.title, self.threshold = [], None, None

    def variant(self, label):
        for v in self.variants:
            if v.label == label:
                return v
        raise KeyError(label)

    def __repr__(self):
        return f"Sweep({self.title!r}, {self.variants!r})"


def load_run(path):
    """The run in directory `path`."""
    if not os.path.isdir(path):
        raise SoftrlError(f"{path}: not a directory")
    if not any(os.path.isfile(os.path.join(path, f)) for f in RUN_FILES):
        raise SoftrlError(f"{path}: not a run directory (no {', '.join(RUN_FILES)})")
    return Run(path)


def _unescape(value):
    out, i = [], 0
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            out.append(escapes.get(value[i + 1], "\\" + value[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_keyfile(path, raw=False):
    """The groups of a GKeyFile-style .ini file, in order, as
    [(group, {key: string value})]: values unescaped as
    g_key_file_get_string reads them, or with `raw` as in the file
    (g_key_file_get_value)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise SoftrlError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    groups, current = [], None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = {}
            groups.append((line[1:-1], current))
            continue
        key, eq, value = raw.partition("=")
        if not eq or current is None:
            raise SoftrlError(f"{path}:{number}: expected [group] or key=value")
        current[key.strip()] = value.strip() if raw else _unescape(value.strip())
    return groups


def _settings(config):
    lines = []
    for group, keys in config.items():
        for key, value in keys.items():
            if group == "experiment" and key == "seed":
                continue
            lines.append(f"{group}.{key}={value}")
    return sorted(lines)


def _add_sweep(sweep, path, manifest):
    groups = read_keyfile(manifest)
    table = dict(groups)
    info = table.get("sweep", {})
    for key in ("file", "name"):
        if key not in info:
            raise SoftrlError(f"{manifest}: [sweep] {key}: missing; a sweep's manifest names its sweep file and "
                              "name there")
    sweep.title = info["name"]
    if "threshold" in info:
        try:
            sweep.threshold = float(info["threshold"])
        except ValueError:
            raise SoftrlError(f"{manifest}: [sweep] threshold: \"{info['threshold']}\" is not a number") from None
    for group, keys in groups:
        if not group.startswith("run "):
            continue
        variant = keys.get("variant")
        if variant is None or f"variant {variant}" not in table or "dir" not in keys or "seed" not in keys:
            raise SoftrlError(f"{manifest}: [{group}]: needs variant (one of the [variant …] groups), dir and seed")
        label = table[f"variant {variant}"].get("label", variant)
        try:
            v = sweep.variant(label)
        except KeyError:
            v = Variant(variant, label)
            sweep.variants.append(v)
        try:
            seed = int(keys["seed"])
        except ValueError:
            raise SoftrlError(f"{manifest}: [{group}] seed: \"{keys['seed']}\" is not an integer") from None
        v.runs.append(Run(os.path.join(path, keys["dir"]), seed))


def _add_plain_run(sweep, path):
    run = Run(path)
    name = run.config.get("experiment", {}).get("name") or run.name
    settings = _settings(_raw_config(run.dir))
    for v in sweep.variants:
        if v.label == name and v.settings == settings:
            v.runs.append(run)
            return
    v = Variant(name, name, settings)
    v.runs.append(run)
    sweep.variants.append(v)


def _raw_config(run_dir):
    """config.ini's values as the text softrl compares (GKeyFile's raw values)."""
    path = os.path.join(run_dir, "config.ini")
    if not os.path.isfile(path):
        return {}
    return {group: keys for group, keys in read_keyfile(path, raw=True)}


def _label_plain_variants(sweep):
    for i, first in enumerate(sweep.variants):
        if first.settings is None or first.label != first.name:
            continue
        for v in sweep.variants[i + 1:]:
            if v.settings is None or v.name != first.name or v.label != first.name:
                continue
            differing = [s for s in v.settings if s not in first.settings]
            v.label = f"{v.name} ({', '.join(differing)})" if differing else f"{v.name} (other settings)"


def load_sweep(path):
    """The runs under `path` grouped into variants, as `softrl summarize PATH`
    groups them."""
    path = str(path)
    if not os.path.isdir(path):
        raise SoftrlError(f"{path}: not a directory")
    sweep = Sweep()
    manifest = os.path.join(path, "manifest.ini")
    if os.path.isfile(manifest):
        _add_sweep(sweep, path, manifest)
        return sweep
    if any(os.path.isfile(os.path.join(path, f)) for f in RUN_FILES):
        _add_plain_run(sweep, path)
    else:
        children = sorted(os.path.join(path, e) for e in os.listdir(path)
                          if os.path.isdir(os.path.join(path, e))
                          and any(os.path.isfile(os.path.join(path, e, f)) for f in RUN_FILES))
        if not children:
            raise SoftrlError(f"{path}: not a sweep directory (no manifest.ini), a run directory (no config.ini) "
                              "or a directory of runs")
        for child in children:
            _add_plain_run(sweep, child)
    _label_plain_variants(sweep)
    return sweep
