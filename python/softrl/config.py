"""A run's resolved configuration (config.ini) as a dict of dicts.

`softrl run` writes every parameter with a comment line ending in its type,
"# doc (integer)"; values are converted by that type: integer → int,
number → float (a number-or-word parameter such as alpha = auto keeps the
word), boolean → bool, list of … → list (';'-separated, as GKeyFile writes
them), anything else → str.
"""
import re

from .errors import SoftrlError

_TYPE = re.compile(r"\(([a-z ]+)\)\s*$")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _scalar(kind, text, where):
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        if kind == "number" and re.fullmatch(r"[A-Za-z_-]+", text):
            return text
        raise SoftrlError(f"{where}: expected {'an' if kind == 'integer' else 'a'} {kind}, got {text!r}") from None
    if kind == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SoftrlError(f"{where}: expected a boolean, got {text!r}")
    return text


def _value(kind, text, where):
    if kind and kind.startswith("list of "):
        element = {"integers": "integer", "numbers": "number"}.get(kind[8:], "string")
        return [_scalar(element, item.strip(), where) for item in text.split(";") if item.strip()]
    return _scalar(kind, text, where)


def parse_config(text, path="config.ini"):
    """The groups of a resolved config file as {group: {key: value}}."""
    config, group, kind = {}, None, None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = _TYPE.search(line)
            kind = m.group(1) if m else None
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
            config.setdefault(group, {})
            kind = None
            continue
        key, eq, value = line.partition("=")
        if not eq or group is None:
            raise SoftrlError(f"{path}:{number}: expected [group] or key = value, got {raw!r}")
        key = key.strip()
        config[group][key] = _value(kind, value.strip(), f"{path}: [{group}] {key}")
        kind = None
    return config


def load_config(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise SoftrlError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise SoftrlError(f"{path}: not UTF-8 text") from None
    return parse_config(text, str(path))
