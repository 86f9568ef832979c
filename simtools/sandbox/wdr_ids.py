"""WDR ids: version-4 UUIDs that encode the session they name, so ``id=`` finds it without an index.

The session (fleet position of the SIM, day number, ordinal that day) is packed into 64 bits and
passed through an invertible mix; 58 more bits are a keyed check from the SIM's seed, so a made-up
UUID is recognised as no record of this fleet rather than decoded into one.
"""

from __future__ import annotations

__all__ = ["decode_wdr_id", "wdr_id"]

_MASK = 2**64 - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_M1_INV = pow(_M1, -1, 2**64)
_M2_INV = pow(_M2, -1, 2**64)
_CHECK_BITS = 58
_SIM_BITS, _DAY_BITS, _ORDINAL_BITS = 26, 20, 18


def _mix(x: int) -> int:
    """SplitMix64's finaliser (the same as :func:`simtools.sandbox.usage_model.mix64`)."""
    x = (x + _GOLDEN) & _MASK
    x = ((x ^ (x >> 30)) * _M1) & _MASK
    x = ((x ^ (x >> 27)) * _M2) & _MASK
    return x ^ (x >> 31)


def _unshift(z: int, shift: int) -> int:
    """The x with ``x ^ (x >> shift) == z``."""
    x = z
    for _ in range(64 // shift + 1):
        x = z ^ (x >> shift)
    return x


def _unmix(z: int) -> int:
    z = _unshift(z, 31)
    z = (z * _M2_INV) & _MASK
    z = _unshift(z, 27)
    z = (z * _M1_INV) & _MASK
    z = _unshift(z, 30)
    return (z - _GOLDEN) & _MASK


def _check(seed: int, packed: int) -> int:
    check: int = _mix(seed ^ _mix(packed ^ 0xC0FFEE)) & (2**_CHECK_BITS - 1)
    return check


def wdr_id(sim: int, day: int, ordinal: int, seed: int) -> str:
    """The id of session ``ordinal`` of fleet SIM ``sim`` (seed ``seed``) on day ``day``."""
    packed = (sim << (_DAY_BITS + _ORDINAL_BITS)) | (day << _ORDINAL_BITS) | ordinal
    m = _mix(packed)
    value = (
        ((m >> 16) << 80)
        | (0x4 << 76)
        | (((m >> 4) & 0xFFF) << 64)
        | (0b10 << 62)
        | ((m & 0xF) << _CHECK_BITS)
        | _check(seed, packed)
    )
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def decode_wdr_id(text: str, seeds: list[int] | None = None) -> tuple[int, int, int] | None:
    """(SIM position, day, ordinal) named by ``text``, or None when it is no id of this fleet;
    ``seeds[position]`` must be the SIM's seed for the check to pass."""
    digits = text.replace("-", "")
    if len(text) != 36 or len(digits) != 32:
        return None
    try:
        value = int(digits, 16)
    except ValueError:
        return None
    if (value >> 76) & 0xF != 4 or (value >> 62) & 0b11 != 0b10:
        return None
    m = ((value >> 80) << 16) | (((value >> 64) & 0xFFF) << 4) | ((value >> _CHECK_BITS) & 0xF)
    packed = _unmix(m)
    sim = packed >> (_DAY_BITS + _ORDINAL_BITS)
    day = (packed >> _ORDINAL_BITS) & (2**_DAY_BITS - 1)
    ordinal = packed & (2**_ORDINAL_BITS - 1)
    if seeds is None or sim >= len(seeds):
        return None
    if _check(seeds[sim], packed) != value & (2**_CHECK_BITS - 1):
        return None
    return sim, day, ordinal
