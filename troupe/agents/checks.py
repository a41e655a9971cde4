"""Range checks for agent hyperparameters: each raises a ValueError that names the
parameter, the accepted range and the value given."""

import math
import numbers
from troupe import errors

# The largest integer a count may be: TensorFlow, numpy and Reverb hold counts
# in int64, and a larger one fails deep inside them.
MAX_INT = 2 ** 63 - 1


def is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_finite(name: str, value) -> None:
    """Raises unless `value` is a finite real number."""
    if not is_real(value) or not math.isfinite(value):
        raise errors.InvalidInput(f'{name} must be a finite number, got {value!r}.')


def check_unit_interval(name: str, value) -> None:
    """Raises unless `value` is a real number in [0, 1]."""
    if not is_real(value) or not 0.0 <= value <= 1.0:
        raise errors.InvalidInput(f'{name} must be in [0, 1], got {value!r}.')


def check_rate(name: str, value) -> None:
    """Raises unless `value` is a real number in (0, 1] (e.g. a Polyak rate τ)."""
    if not is_real(value) or not 0.0 < value <= 1.0:
        raise errors.InvalidInput(f'{name} must be in (0, 1], got {value!r}.')


def check_positive(name: str, value) -> None:
    """Raises unless `value` is a finite real number > 0."""
    if not is_real(value) or not value > 0:
        raise errors.InvalidInput(f'{name} must be > 0, got {value!r}.')
    check_finite(name, value)


def check_non_negative(name: str, value) -> None:
    """Raises unless `value` is a finite real number >= 0."""
    if not is_real(value) or not value >= 0:
        raise errors.InvalidInput(f'{name} must be >= 0, got {value!r}.')
    check_finite(name, value)


def check_positive_int(name: str, value) -> None:
    """Raises unless `value` is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise errors.InvalidInput(f'{name} must be an integer >= 1, got {value!r}.')
    _check_int64(name, value)


def check_non_negative_int(name: str, value) -> None:
    """Raises unless `value` is an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise errors.InvalidInput(f'{name} must be an integer >= 0, got {value!r}.')
    _check_int64(name, value)


def _check_int64(name: str, value) -> None:
    if value > MAX_INT:
        raise errors.InvalidInput(f'{name} must be an integer <= 2**63 - 1 (it is held '
                                  f'in int64), got {value!r}.')
