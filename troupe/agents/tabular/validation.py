"""Checks shared by the tabular agents: hyperparameter ranges and discrete specs.

Every error names the bad value and what was expected, so a wrong argument is
found at construction time rather than as a silent divergence hours later.
"""

import numbers
from typing import Tuple

from dm_env import specs as dm_specs

from troupe import errors
from troupe import specs


def check_unit_interval(name: str, value: float) -> float:
    """Returns `value` as a float if it lies in [0, 1]; raises ValueError otherwise."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not 0.0 <= value <= 1.0):
        raise errors.InvalidInput(f'{name} must be a number in [0, 1], got {value!r}.')
    return float(value)


def check_step_size(value: float, name: str = 'step_size') -> float:
    """Returns `value` as a float if it lies in (0, 1]; raises ValueError otherwise.

    A step size of 0 would never learn and one above 1 overshoots the target.
    """
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not 0.0 < value <= 1.0):
        raise errors.InvalidInput(f'{name} must be a number in (0, 1], got {value!r}.')
    return float(value)


def check_positive_int(name: str, value: int, minimum: int = 1) -> int:
    """Returns `value` if it is an int >= `minimum`; raises ValueError otherwise."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
            or value < minimum):
        raise errors.InvalidInput(f'{name} must be an int >= {minimum}, got {value!r}.')
    return int(value)


def discrete_sizes(environment_spec: specs.EnvironmentSpec,
                   agent: str) -> Tuple[int, int]:
    """(number of states, number of actions) of a spec with discrete obs and actions.

    Raises:
        TypeError: if the observation or action spec is not a `DiscreteArray`
            (a tabular agent indexes its table by them).
    """
    for field in ('observations', 'actions'):
        spec = getattr(environment_spec, field, None)
        if not isinstance(spec, dm_specs.DiscreteArray):
            hint = (' (for GridWorld use ObservationType.STATE_INDEX)'
                    if field == 'observations' else '')
            raise TypeError(f'{agent} needs a DiscreteArray {field} spec{hint}, got '
                            f'{spec!r}.')
    return (int(environment_spec.observations.num_values),
            int(environment_spec.actions.num_values))
