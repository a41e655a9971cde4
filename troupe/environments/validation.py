"""Checks that an action fits its spec, with errors that name both.

Built-in environments check every action before using it, so a wrong action
fails loudly at the step that received it instead of corrupting the episode.
The checks are strict about kind (an integer for a discrete spec, a float for a
float spec), shape and bounds, and lenient about width: an `int32` action is
fine for an `int64` spec and a `float64` array for a `float32` one.
"""

import operator
from typing import Any, Callable, Mapping, Sequence

import dm_env
import numpy as np
import tree
from dm_env import specs


class InvalidActionError(ValueError, TypeError):
    """An action that does not fit the environment's action spec.

    It is both a `ValueError` and a `TypeError`, so callers may catch either.
    """


def _describe(action: Any) -> str:
    if isinstance(action, np.ndarray):
        return f'{action!r} (shape {action.shape}, dtype {action.dtype})'
    return f'{action!r} (type {type(action).__name__})'


def check_discrete_action(action: Any, spec: specs.Array) -> int:
    """Returns `action` as a Python int after checking it against `spec`.

    Args:
        action: a Python int, numpy integer or 0-d integer array.
        spec: a scalar integer spec (usually a `DiscreteArray`).

    Raises:
        InvalidActionError: if `action` is not an integer scalar or is out of bounds.
    """
    if isinstance(action, (bool, np.bool_)):
        raise InvalidActionError(
                f'Action {_describe(action)} is a boolean; expected an integer for {spec!r}.')
    try:
        value = operator.index(action)
    except TypeError:
        raise InvalidActionError(
                f'Action {_describe(action)} is not an integer scalar; expected one '
                f'for {spec!r}.') from None
    minimum, maximum = _integer_bounds(spec)
    if not minimum <= value <= maximum:
        raise InvalidActionError(
                f'Action {_describe(action)} is out of bounds; expected an integer in '
                f'[{minimum}, {maximum}] for {spec!r}.')
    return value


def _integer_bounds(spec: specs.Array):
    if isinstance(spec, specs.DiscreteArray):
        return 0, spec.num_values - 1
    if isinstance(spec, specs.BoundedArray):
        return int(spec.minimum), int(spec.maximum)
    info = np.iinfo(spec.dtype)
    return info.min, info.max


_KIND_GROUPS = {'f': 'f', 'i': 'iu', 'u': 'iu', 'b': 'b'}


def check_array_action(action: Any, spec: specs.Array) -> np.ndarray:
    """Returns `action` as an array of the spec's dtype after checking it.

    Args:
        action: an array-like of the spec's shape and a dtype of the same kind.
        spec: an `Array` or `BoundedArray` spec.

    Raises:
        InvalidActionError: on a wrong shape, a dtype of another kind, a NaN or a
            value outside the bounds.
    """
    try:
        array = np.asarray(action)
    except Exception as error:  # noqa: BLE001 - any conversion failure is bad input.
        raise InvalidActionError(
                f'Action {action!r} cannot be read as an array for {spec!r}: {error}') from None
    if array.shape != spec.shape:
        raise InvalidActionError(
                f'Action {_describe(array)} has shape {array.shape}; expected shape '
                f'{spec.shape} for {spec!r}.')
    expected_kinds = _KIND_GROUPS.get(spec.dtype.kind, spec.dtype.kind)
    if array.dtype.kind not in expected_kinds:
        raise InvalidActionError(
                f'Action {_describe(array)} has dtype {array.dtype}; expected a '
                f'{spec.dtype} (or same-kind) array for {spec!r}.')
    if isinstance(spec, specs.BoundedArray):
        # One pass for the common case; NaN fails both comparisons.
        if not ((array >= spec.minimum).all() and (array <= spec.maximum).all()):
            if array.dtype.kind == 'f' and np.isnan(array).any():
                raise InvalidActionError(f'Action {_describe(array)} contains NaN; '
                                         f'expected numbers for {spec!r}.')
            raise InvalidActionError(
                    f'Action {_describe(array)} is out of bounds; expected values in '
                    f'[{spec.minimum}, {spec.maximum}] for {spec!r}.')
    elif array.dtype.kind == 'f' and np.isnan(array).any():
        raise InvalidActionError(f'Action {_describe(array)} contains NaN; expected numbers '
                                 f'for {spec!r}.')
    return array if array.dtype == spec.dtype else array.astype(spec.dtype)


def make_action_checker(spec: Any) -> Callable[[Any], Any]:
    """Returns the check for an action spec, chosen once so each step is cheap.

    Scalar integer specs get `check_discrete_action` (which returns a Python
    int), other array specs `check_array_action`; dicts, tuples and lists of
    specs get a check of their structure and of each leaf.
    """
    if isinstance(spec, Mapping):
        return _mapping_checker(spec)
    if isinstance(spec, (tuple, list)):
        return _sequence_checker(spec)
    if not isinstance(spec, specs.Array):
        raise TypeError(f'Cannot check actions against {spec!r}: expected a dm_env spec '
                        f'or a dict, tuple or list of them.')
    if spec.shape == () and spec.dtype.kind in 'iu':
        return lambda action: check_discrete_action(action, spec)
    fast = _small_float_checker(spec)
    if fast is not None:
        return fast
    return lambda action: check_array_action(action, spec)


def _structure_error(action: Any, spec: Any) -> InvalidActionError:
    return InvalidActionError(
            f'Action {action!r} does not have the structure of the action spec {spec!r}.')


def _mapping_checker(spec: Mapping) -> Callable[[Any], Any]:
    checkers = {key: make_action_checker(value) for key, value in spec.items()}
    keys = checkers.keys()

    def check(action):
        if not isinstance(action, Mapping) or action.keys() != keys:
            raise _structure_error(action, spec)
        return {key: checker(action[key]) for key, checker in checkers.items()}
    return check


def _sequence_checker(spec: Sequence) -> Callable[[Any], Any]:
    checkers = [make_action_checker(value) for value in spec]
    rebuild = (type(spec)._make if hasattr(type(spec), '_fields') else type(spec))

    def check(action):
        if (not isinstance(action, (tuple, list)) or isinstance(action, np.ndarray)
                or len(action) != len(checkers)):
            raise _structure_error(action, spec)
        return rebuild(checker(value) for checker, value in zip(checkers, action))
    return check


def _small_float_checker(spec: specs.Array):
    """A faster check for small float arrays with one lower and one upper bound
    (the usual continuous action): plain Python comparisons instead of numpy
    reductions. Anything unusual falls back to `check_array_action`."""
    if (not isinstance(spec, specs.BoundedArray) or spec.dtype.kind != 'f'
            or int(np.prod(spec.shape)) > 16
            or spec.minimum.min() != spec.minimum.max()
            or spec.maximum.min() != spec.maximum.max()):
        return None
    low, high = float(spec.minimum.min()), float(spec.maximum.max())
    dtype, shape = spec.dtype, spec.shape

    def check(action):
        if (action.__class__ is np.ndarray and action.dtype == dtype
                and action.shape == shape
                and all(low <= x <= high for x in action.ravel().tolist())):  # NaN fails.
            return action
        return check_array_action(action, spec)
    return check


def check_action(action: Any, spec: Any) -> Any:
    """Checks a (possibly nested: dicts, tuples, lists) action against its spec.

    Returns the action with every leaf converted as the leaf checks do. To check
    many actions against one spec, build the check once with `make_action_checker`.

    Raises:
        InvalidActionError: if the structure differs or any leaf does not fit.
    """
    return make_action_checker(spec)(action)


def check_timestep(timestep: dm_env.TimeStep, environment: dm_env.Environment) -> None:
    """Checks a timestep's fields against the environment's specs.

    Raises:
        ValueError: naming the field, the value and the spec that it breaks.
    """
    fields = [('observation', timestep.observation, environment.observation_spec())]
    if not timestep.first():
        fields += [('reward', timestep.reward, environment.reward_spec()),
                   ('discount', timestep.discount, environment.discount_spec())]
    elif timestep.reward is not None or timestep.discount is not None:
        raise ValueError(f'A FIRST timestep must have reward and discount None; got '
                         f'reward={timestep.reward!r}, discount={timestep.discount!r}.')
    for field, value, spec in fields:
        try:
            tree.assert_same_structure(spec, value, check_types=False)
            tree.map_structure(lambda s, v: s.validate(v), spec, value)
        except (ValueError, TypeError) as error:
            raise ValueError(
                    f'The {field} {value!r} of a {timestep.step_type.name} timestep does '
                    f'not fit the spec {spec!r}: {error}') from None
