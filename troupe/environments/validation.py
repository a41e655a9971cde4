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


class InvalidTimestepError(ValueError, TypeError):
    """A timestep that breaks its environment's specs or dm_env's episode rules.

    Raised by `TimestepChecker` (and so by `EnvironmentLoop`); both a
    `ValueError` and a `TypeError`, as `InvalidActionError` is.
    """


_MID, _LAST = dm_env.StepType.MID, dm_env.StepType.LAST
_SCALARS = (float, int, np.float32, np.float64)


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=8, edgeitems=2)
        return f'{text} (shape {value.shape}, dtype {value.dtype})'
    return f'{value!r} ({type(value).__name__})'


class TimestepChecker:
    """Checks the timesteps an environment returns, cheaply enough for every step.

    `first(timestep)` checks what `reset()` returned, `step(timestep, t)` what
    the t-th `step()` of the episode returned. Either raises
    `InvalidTimestepError` naming the environment, the step, the bad value and
    what was expected when: the result is not a `dm_env.TimeStep`; `reset()`
    does not give FIRST, or `step()` gives FIRST (or a step type that is none of
    dm_env's); an observation leaf's shape or dtype is not its spec's (Python
    scalars and lists need only the shape and a compatible kind); a reward is
    not a finite number of its spec's shape (NaN and Inf rewards would poison
    the replay and the learner); a discount is not a number in [0, 1].
    Observation bounds and values are not checked (that would cost a pass over
    every observation). The common case (one array observation, scalar reward
    and discount) takes a few attribute comparisons per step.
    """

    def __init__(self, environment: dm_env.Environment):
        self._name = type(environment).__name__
        self._observation_spec = environment.observation_spec()
        self._reward_spec = environment.reward_spec()
        self._discount_spec = environment.discount_spec()
        spec = self._observation_spec
        self._fast_observation = (
            (spec.shape, spec.dtype) if isinstance(spec, specs.Array) else None)
        # Nests (e.g. one entry per agent): the leaves' shapes and dtypes, and the
        # top-level keys of a dict, compared without walking the specs.
        self._observation_leaves = [(leaf.shape, leaf.dtype) for leaf in tree.flatten(spec)]
        self._observation_keys = spec.keys() if isinstance(spec, Mapping) else None
        self._scalar_reward = _scalar_leaves(self._reward_spec)
        self._scalar_discount = _scalar_leaves(self._discount_spec)
        if (self._fast_observation is not None and self._scalar_reward is True
                and self._scalar_discount is True):
            self.step = self._fast_step(self.step)

    def _fast_step(self, general):
        """`step` for one array observation, a scalar reward and discount (the
        usual case): one expression of local comparisons, else `general`."""
        shape, dtype = self._fast_observation
        timestep_class, ndarray, scalars = dm_env.TimeStep, np.ndarray, _SCALARS
        mid, last = _MID, _LAST

        def step(timestep: Any, t: int) -> None:
            if timestep.__class__ is timestep_class:
                step_type, reward, discount, observation = timestep
                if ((step_type is mid or step_type is last)
                        and observation.__class__ is ndarray
                        and observation.shape == shape and observation.dtype == dtype
                        and reward.__class__ in scalars and reward - reward == 0
                        and discount.__class__ in scalars and 0.0 <= discount <= 1.0):
                    return
            general(timestep, t)
        step.__doc__ = general.__doc__
        return step

    def _fail(self, where: str, message: str) -> InvalidTimestepError:
        return InvalidTimestepError(f'{self._name}.{where} {message}')

    def first(self, timestep: Any) -> None:
        """Checks the timestep `reset()` returned."""
        if not isinstance(timestep, dm_env.TimeStep):
            raise self._fail('reset()', f'returned {_show(timestep)}; expected a '
                             'dm_env.TimeStep')
        if timestep.step_type != dm_env.StepType.FIRST:
            raise self._fail('reset()', f'returned a timestep of step_type '
                             f'{timestep.step_type!r}; expected FIRST (dm_env.restart)')
        self._check_observation('reset()', timestep.observation)

    def step(self, timestep: Any, t: int) -> None:
        """Checks the timestep the `t`-th `step()` of an episode returned."""
        if timestep.__class__ is not dm_env.TimeStep and not isinstance(
                timestep, dm_env.TimeStep):
            raise self._fail(f'step() (step {t} of the episode)',
                             f'returned {_show(timestep)}; expected a dm_env.TimeStep')
        step_type = timestep.step_type
        if step_type is not _MID and step_type is not _LAST and step_type not in (1, 2):
            raise self._fail(
                f'step() (step {t} of the episode)',
                f'returned a timestep of step_type {step_type!r}; expected MID or LAST'
                + (' (FIRST only comes from reset(): an episode must end with LAST '
                   'before the next one starts)' if step_type == 0 else ''))
        where = f'step() (step {t} of the episode)'
        self._check_observation(where, timestep.observation)
        reward = timestep.reward
        if reward.__class__ in _SCALARS:
            if not (self._scalar_reward is True and reward - reward == 0):  # NaN, Inf.
                self._check_numbers(where, 'reward', reward, self._reward_spec)
        elif not (self._scalar_reward and _all_finite(reward, self._scalar_reward)):
            self._check_numbers(where, 'reward', reward, self._reward_spec)
        discount = timestep.discount
        if discount.__class__ in _SCALARS:
            if not (self._scalar_discount is True and 0.0 <= discount <= 1.0):
                self._check_numbers(where, 'discount', discount, self._discount_spec,
                                    unit=True)
        elif not (self._scalar_discount
                  and _all_in_unit(discount, self._scalar_discount)):
            self._check_numbers(where, 'discount', discount, self._discount_spec,
                                unit=True)

    def _check_observation(self, where: str, observation: Any) -> None:
        fast = self._fast_observation
        if fast is not None:
            if (observation.__class__ is np.ndarray and observation.shape == fast[0]
                    and observation.dtype == fast[1]):
                return
            if (fast[0] == () and isinstance(observation, np.generic)
                    and observation.dtype == fast[1]):
                return
        elif self._observation_keys is None or (
                isinstance(observation, Mapping)
                and observation.keys() == self._observation_keys):
            leaves = tree.flatten(observation)
            if len(leaves) == len(self._observation_leaves) and all(
                    leaf.__class__ is np.ndarray and leaf.shape == shape
                    and leaf.dtype == dtype
                    for leaf, (shape, dtype) in zip(leaves, self._observation_leaves)):
                return
        try:
            tree.assert_same_structure(self._observation_spec, observation,
                                       check_types=False)
        except (ValueError, TypeError):
            raise self._fail(where, f'returned the observation {observation!r}; expected '
                             f'the structure of the observation spec '
                             f'{self._observation_spec!r}') from None
        for (path, spec), value in zip(tree.flatten_with_path(self._observation_spec),
                                       tree.flatten(observation)):
            problem = _leaf_problem(value, spec)
            if problem:
                name = 'observation' + ''.join(f'[{key!r}]' for key in path)
                raise self._fail(where, f'returned the {name} {_show(value)}: {problem}; '
                                 f'expected shape {spec.shape} and dtype {spec.dtype} '
                                 f'(the spec {spec!r})')

    def _check_numbers(self, where: str, field: str, value: Any, spec: Any,
                       unit: bool = False) -> None:
        expected = 'numbers in [0, 1]' if unit else 'finite numbers'
        try:
            tree.assert_same_structure(spec, value, check_types=False)
        except (ValueError, TypeError):
            raise self._fail(where, f'returned the {field} {_show(value)}; expected '
                             f'{expected} with the structure of {spec!r}') from None
        for (path, leaf_spec), leaf in zip(tree.flatten_with_path(spec),
                                           tree.flatten(value)):
            name = field + ''.join(f'[{key!r}]' for key in path)
            try:
                array = np.asarray(leaf, dtype=np.float64)
            except (TypeError, ValueError):
                array = None
            if array is None or isinstance(leaf, (bool, np.bool_)) or leaf is None:
                raise self._fail(where, f'returned the {name} {_show(leaf)}; expected '
                                 f'{expected} of shape {leaf_spec.shape}')
            if array.shape != leaf_spec.shape:
                raise self._fail(where, f'returned the {name} {_show(leaf)} of shape '
                                 f'{array.shape}; expected shape {leaf_spec.shape} '
                                 f'(the spec {leaf_spec!r})')
            good = (0.0 <= array) & (array <= 1.0) if unit else np.isfinite(array)
            if not good.all():
                raise self._fail(where, f'returned the {name} {_show(leaf)}; expected '
                                 f'{expected}')


def _scalar_leaves(spec: Any):
    """True for a scalar Array spec; for a dict of scalar Array specs (one per
    agent) its keys; else None (the slow, general check)."""
    if isinstance(spec, specs.Array):
        return True if spec.shape == () else None
    if isinstance(spec, Mapping) and spec and all(
            isinstance(leaf, specs.Array) and leaf.shape == () for leaf in spec.values()):
        return spec.keys()
    return None


def _all_finite(value: Any, keys) -> bool:
    """Whether a dict with `keys` holds only finite Python or numpy scalars."""
    if keys is True or not isinstance(value, Mapping) or value.keys() != keys:
        return False
    return all(v.__class__ in _SCALARS and v - v == 0 for v in value.values())


def _all_in_unit(value: Any, keys) -> bool:
    if keys is True or not isinstance(value, Mapping) or value.keys() != keys:
        return False
    return all(v.__class__ in _SCALARS and 0.0 <= v <= 1.0 for v in value.values())


_COMPATIBLE_KINDS = {'f': 'fiub', 'i': 'iub', 'u': 'iub', 'b': 'b'}


def _leaf_problem(value: Any, spec: specs.Array):
    """Why `value` does not fit `spec` (shape, dtype), or None."""
    exact = isinstance(value, (np.ndarray, np.generic))
    try:
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
    except Exception:  # noqa: BLE001 - anything unreadable is a bad observation.
        return 'it is not an array'
    if array.shape != spec.shape:
        return f'its shape is {array.shape}'
    if exact:
        if array.dtype != spec.dtype:
            return f'its dtype is {array.dtype}'
    elif array.dtype.kind not in _COMPATIBLE_KINDS.get(spec.dtype.kind, spec.dtype.kind):
        return f'its values are of dtype {array.dtype}'
    return None
