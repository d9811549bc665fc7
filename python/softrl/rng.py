"""softrl's random number generator, draw for draw (core/rng.c).

xoshiro256** seeded through splitmix64; normals by Box–Muller, one pair of
uniforms (u1, u2) per two normals, z = sqrt(−2 log(1 − u1))·(cos, sin)(2π u2),
and a last odd normal from its own pair taking the cosine.  A stochastic
softrl action draws its noise ξ with `fill_normal(noise_dim)` from the
generator `softrl eval` shares between the environment and the policy, so a
Python loop that draws from the same state reproduces softrl's episodes.
The maths runs in Python doubles, so a normal may differ from softrl's
vectorised one in its last bits (far below float32 resolution).
"""
import math

import numpy as np

_MASK = (1 << 64) - 1


def _splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return x, z ^ (z >> 31)


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & _MASK


class Rng:
    """An SrlRng.  `words` is where the four state words live: a list by
    default, or a ctypes array shared with libsoftrl (an environment's)."""

    def __init__(self, seed=0, words=None):
        self.words = words if words is not None else [0, 0, 0, 0]
        if seed is not None:
            self.seed(seed)

    def seed(self, seed):
        x = int(seed) & _MASK
        for i in range(4):
            x, self.words[i] = _splitmix64(x)

    @property
    def state(self):
        return tuple(int(w) for w in self.words)

    def next(self):
        s0, s1, s2, s3 = (int(w) for w in self.words)
        result = (_rotl((s1 * 5) & _MASK, 7) * 9) & _MASK
        t = (s1 << 17) & _MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.words[0], self.words[1], self.words[2], self.words[3] = s0, s1, s2, s3
        return result

    def uniform(self):
        """Uniform in [0, 1) with 53 random bits."""
        return (self.next() >> 11) * 2.0 ** -53

    def normal(self):
        u1 = 1.0 - self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def fill_normal(self, n):
        """`n` standard normals as float32, as srl_rng_fill_normal draws them."""
        out = np.empty(n, dtype=np.float32)
        i = 0
        while i + 1 < n:
            u1 = 1.0 - self.uniform()
            u2 = self.uniform()
            r, theta = math.sqrt(-2.0 * math.log(u1)), 2.0 * math.pi * u2
            out[i], out[i + 1] = r * math.cos(theta), r * math.sin(theta)
            i += 2
        if i < n:
            out[i] = self.normal()
        return out

    def fill_uniform(self, n, low, high):
        """`n` float32 uniforms in [low, high), as srl_rng_fill_uniform."""
        low, span = np.float32(low), np.float32(high) - np.float32(low)
        return np.array([low + span * np.float32(self.uniform()) for _ in range(n)], dtype=np.float32)

    def below(self, n):
        """A uniform integer in [0, n), Lemire's method as srl_rng_below."""
        if n <= 0:
            raise ValueError("below() needs n > 0")
        m = self.next() * n
        if (m & _MASK) < n:
            threshold = ((1 << 64) - n) % n
            while (m & _MASK) < threshold:
                m = self.next() * n
        return m >> 64
