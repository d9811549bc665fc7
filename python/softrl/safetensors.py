"""Reading softrl's saved state: safetensors files with softrl's checksum.

The layout (core/include/softrl/state.h): an 8-byte little-endian header
length, a JSON header naming each tensor's dtype, shape and byte range in the
data section that follows, and a "__metadata__" object holding
"format" = "softrl-state", "format_version" and "checksum" =
"sha256:" + the hex SHA-256 of the whole file computed with those 64 hex
digits replaced by '0'.  Every check softrl's own reader makes is made here,
so a file softrl refuses is refused here too, naming the file and the field.
"""
import hashlib
import json
import re

import numpy as np

from .errors import SoftrlError

FORMAT = "softrl-state"
FORMAT_VERSION = "1"
MAX_HEADER = 100 * 1024 * 1024
DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8"),
          "U64": np.dtype("<u8"), "U8": np.dtype("u1")}
_HEX = re.compile(rb'"checksum"\s*:\s*"sha256:([0-9a-f]{64})"')


class StateFile:
    """A verified softrl state file: `metadata` (dict of strings) and
    `tensors` (dict of read-only numpy arrays, in the file's order)."""

    def __init__(self, path):
        self.path = str(path)
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise SoftrlError(f"{self.path}: cannot read: {e.strerror}") from None
        self.metadata, self.tensors = _parse(self.path, data)

    def __getitem__(self, name):
        try:
            return self.tensors[name]
        except KeyError:
            raise SoftrlError(f"{self.path}: no tensor \"{name}\"") from None

    def __contains__(self, name):
        return name in self.tensors


def _fail(path, message):
    raise SoftrlError(f"{path}: {message}")


def _parse(path, data):
    if len(data) < 8:
        _fail(path, f"{len(data)} bytes: too short for a safetensors header length")
    header_len = int.from_bytes(data[:8], "little")
    if header_len > MAX_HEADER or header_len > len(data) - 8:
        _fail(path, f"header length {header_len} exceeds the file ({len(data)} bytes) or the 100 MiB limit")
    header_bytes = data[8:8 + header_len]
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        _fail(path, f"header is not valid JSON: {e}")
    if not isinstance(header, dict):
        _fail(path, "header is not a JSON object")
    meta = header.pop("__metadata__", None)
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        _fail(path, "no __metadata__ object of strings: not a softrl state file")
    if meta.get("format") != FORMAT:
        _fail(path, f"metadata format is {meta.get('format')!r}, expected {FORMAT!r}")
    if meta.get("format_version") != FORMAT_VERSION:
        _fail(path, f"metadata format_version is {meta.get('format_version')!r}; this reader knows {FORMAT_VERSION}")
    _verify_checksum(path, data, header_len, meta.get("checksum"))

    body = memoryview(data)[8 + header_len:]
    tensors, ranges = {}, []
    for name, t in header.items():
        if not isinstance(t, dict) or set(t) != {"dtype", "shape", "data_offsets"}:
            _fail(path, f"tensor \"{name}\": expected exactly dtype, shape and data_offsets")
        dtype = DTYPES.get(t["dtype"])
        if dtype is None:
            _fail(path, f"tensor \"{name}\" has unsupported dtype {t['dtype']!r}")
        shape, offsets = t["shape"], t["data_offsets"]
        if (not isinstance(shape, list) or len(shape) > 4
                or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)):
            _fail(path, f"tensor \"{name}\": shape {shape!r} is not a list of at most 4 non-negative integers")
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets)):
            _fail(path, f"tensor \"{name}\": data_offsets {offsets!r} is not two non-negative integers")
        begin, end = offsets
        count = int(np.prod(shape, dtype=np.uint64)) if shape else 1
        if begin > end or end > len(body) or end - begin != count * dtype.itemsize:
            _fail(path, f"tensor \"{name}\": data_offsets [{begin}, {end}] do not hold {count} {t['dtype']} "
                        f"values inside the {len(body)}-byte data section")
        ranges.append((begin, end, name))
        tensors[name] = np.frombuffer(body[begin:end], dtype=dtype).reshape(shape)
    ranges.sort()
    for (b0, e0, n0), (b1, e1, n1) in zip(ranges, ranges[1:]):
        if b1 < e0:
            _fail(path, f"tensors \"{n0}\" and \"{n1}\" overlap")
    return meta, tensors


def _verify_checksum(path, data, header_len, checksum):
    header = data[8:8 + header_len]
    match = _HEX.search(header)
    if not isinstance(checksum, str) or not match or checksum != "sha256:" + match.group(1).decode():
        _fail(path, "metadata checksum is missing or not \"sha256:\" and 64 lowercase hex digits")
    start = 8 + match.start(1)
    zeroed = data[:start] + b"0" * 64 + data[start + 64:]
    actual = hashlib.sha256(zeroed).hexdigest()
    if actual != match.group(1).decode():
        _fail(path, f"checksum mismatch (file says {match.group(1).decode()}, contents give {actual}): "
                    "the file is damaged or was changed")
