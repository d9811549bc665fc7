"""Finding and loading libsoftrl and its plugins for ctypes.

libsoftrl is, in order: $SOFTRL_LIBRARY (for a build tree's
core/.libs/libsoftrl.so, that tree's plugins come with it); the build tree's
core/.libs/libsoftrl.so when this package is imported from the source tree
(python/softrl/ beside core/); the library `make install` put beside this
installed package (_installed.py, written at install time); the system's.
The registry loads the build tree's plugins first when the library is the
build tree's, then softrl's usual search path (SOFTRL_PLUGIN_PATH, the
installed plugin directory).
"""
import ctypes
import ctypes.util
import os

from .errors import SoftrlError

_HERE = os.path.dirname(os.path.abspath(__file__))
_TOP = os.path.dirname(os.path.dirname(_HERE))
SRL_KIND_ENV = 3


class GError(ctypes.Structure):
    _fields_ = [("domain", ctypes.c_uint32), ("code", ctypes.c_int), ("message", ctypes.c_char_p)]


class SrlEnvSpec(ctypes.Structure):
    _fields_ = [("obs_dim", ctypes.c_uint), ("act_dim", ctypes.c_uint),
                ("act_low", ctypes.POINTER(ctypes.c_double)), ("act_high", ctypes.POINTER(ctypes.c_double)),
                ("max_episode_steps", ctypes.c_uint), ("info_names", ctypes.POINTER(ctypes.c_char_p))]


class SrlRng(ctypes.Structure):
    _fields_ = [("s", ctypes.c_uint64 * 4)]


def _candidates():
    if os.environ.get("SOFTRL_LIBRARY"):
        path = os.path.abspath(os.environ["SOFTRL_LIBRARY"])
        # A build tree's library (BUILD/core/.libs/) brings that tree's plugins.
        libs = os.path.dirname(path)
        top = os.path.dirname(os.path.dirname(libs))
        in_build_tree = os.path.basename(libs) == ".libs" and os.path.basename(os.path.dirname(libs)) == "core"
        yield path, top if in_build_tree else None
        return
    build = os.path.join(_TOP, "core", ".libs", "libsoftrl.so")
    if os.path.isfile(build):
        yield build, _TOP
        return
    try:
        from . import _installed
        yield os.path.join(_installed.LIBDIR, "libsoftrl.so.0"), None
    except ImportError:
        pass
    found = ctypes.util.find_library("softrl")
    if found:
        yield found, None


_lib = None
_build_top = None


def library():
    """libsoftrl as a ctypes CDLL with the prototypes this package uses."""
    global _lib, _build_top
    if _lib is not None:
        return _lib
    tried = []
    for path, top in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
            continue
        _declare(lib)
        _lib, _build_top = lib, top
        return lib
    raise SoftrlError("cannot load libsoftrl: tried " + (", ".join(tried) or "nothing found") +
                      "; build softrl, install it, or set SOFTRL_LIBRARY to the library's path")


def _declare(lib):
    p, c = ctypes.c_void_p, ctypes
    perr = c.POINTER(c.POINTER(GError))
    protos = {
        "srl_registry_new": (p, []),
        "srl_registry_free": (None, [p]),
        "srl_registry_load_dir": (None, [p, c.c_char_p]),
        "srl_registry_load_default": (None, [p]),
        "srl_registry_list": (p, [p, c.c_int]),
        "srl_registry_lookup": (p, [p, c.c_int, c.c_char_p]),
        "srl_env_binding_new": (p, [p, c.c_char_p, c.POINTER(c.c_char_p), perr]),
        "srl_env_binding_env": (p, [p]),
        "srl_env_binding_free": (None, [p]),
        "srl_env_spec": (c.POINTER(SrlEnvSpec), [p]),
        "srl_env_n_info": (c.c_uint, [p]),
        "srl_env_reset": (None, [p, c.POINTER(SrlRng), p]),
        "srl_env_step": (c.c_int, [p, c.POINTER(SrlRng), p, p, c.POINTER(c.c_double)]),
        "srl_env_episode_info": (None, [p, p]),
        "srl_env_invalid_reason": (c.c_char_p, [p]),
        "srl_rng_init": (None, [c.POINTER(SrlRng), c.c_uint64]),
    }
    for name, (restype, argtypes) in protos.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = restype, argtypes
    glib = ctypes.CDLL("libglib-2.0.so.0")
    glib.g_error_free.argtypes = [ctypes.POINTER(GError)]
    glib.g_ptr_array_unref.argtypes = [p]
    lib.glib = glib


def take_error(error):
    """The message of a GError* (freed here)."""
    message = error.contents.message.decode("utf-8", "replace")
    library().glib.g_error_free(error)
    return message


_registry = None


def registry():
    """The process's plugin registry (loaded once, kept for the process's life:
    the descriptors point into the plugins' shared objects)."""
    global _registry
    if _registry is None:
        lib = library()
        reg = lib.srl_registry_new()
        if _build_top:
            # softrl finds the source tree's data (MuJoCo models) only for
            # programs run from the build tree; Python is not one of them.
            data = os.environ.get("SOFTRL_DATA_PATH")
            os.environ["SOFTRL_DATA_PATH"] = f"{data}:{_build_top}" if data else _build_top
            for sub in ("plugins", "envs"):
                for root, dirs, _ in sorted(os.walk(os.path.join(_build_top, sub))):
                    dirs.sort()
                    if os.path.basename(root) == ".libs":
                        lib.srl_registry_load_dir(reg, root.encode())
        lib.srl_registry_load_default(reg)
        _registry = reg
    return _registry
