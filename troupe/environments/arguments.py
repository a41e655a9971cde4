"""Checks of the built-in environments' constructor arguments.

Each returns the value in the type the environment keeps (an int, a float, a
bool) or raises `troupe.errors.InvalidInput` naming the argument, what was
expected and the value, so `make('catch', rows='ten')` fails at once and says
so, instead of as a comparison error or a NaN episode later. Integral floats
(7.0) are taken as integers, as the agents' configs take them.
"""

import math
import numbers
from typing import Any, Optional

import numpy as np

from troupe import errors

# numpy's legacy seeding (dm_control, bsuite) takes seeds below 2**32.
MAX_SEED = 2 ** 32 - 1


def _describe(value: Any) -> str:
    return f'{value!r} ({type(value).__name__})'


def check_int(name: str, value: Any, minimum: int, optional: bool = False
              ) -> Optional[int]:
    """`value` as an int >= `minimum` (or None when `optional`)."""
    if value is None and optional:
        return None
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and (
            float(value).is_integer()):
        value = int(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise errors.InvalidInput(
            f'{name} must be an integer{" or None" if optional else ""}, got '
            f'{_describe(value)}.')
    if value < minimum:
        raise errors.InvalidInput(f'{name} must be >= {minimum}'
                                  f'{" or None" if optional else ""}, got {value!r}.')
    return int(value)


def check_number(name: str, value: Any, minimum: float = -math.inf,
                 maximum: float = math.inf) -> float:
    """`value` as a finite float in [minimum, maximum]."""
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)
            or not math.isfinite(value)):
        raise errors.InvalidInput(f'{name} must be a finite number, got {_describe(value)}.')
    if not minimum <= value <= maximum:
        raise errors.InvalidInput(f'{name} must be in [{minimum:g}, {maximum:g}], got '
                                  f'{value!r}.')
    return float(value)


def check_bool(name: str, value: Any) -> bool:
    """`value` as a bool (True or False, numpy's included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise errors.InvalidInput(f'{name} must be True or False, got {_describe(value)}.')
    return bool(value)


def check_seed(value: Any) -> Optional[int]:
    """`value` as a seed: None, or an integer in [0, 2**32 - 1]."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or (
            not 0 <= value <= MAX_SEED):
        raise errors.InvalidInput(f'seed must be None or an integer in [0, 2**32 - 1], '
                                  f'got {_describe(value)}.')
    return int(value)
