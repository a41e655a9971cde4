"""Saving and restoring an environment's state, for Go-Explore and planners.

An environment that supports it has `get_state()`, returning a `Snapshot`, and
`set_state(snapshot)`, after which its future (observations, rewards,
discounts, step types and random draws) for the same actions is exactly what
followed the snapshot. A snapshot is data only: numpy arrays, Python scalars,
strings and bytes in tuples and dicts, copied when taken and copied again when
restored, so an archive can keep many of them and restore any one many times,
into this environment or into another one built with the same arguments.

Each snapshot names the environment class that took it and carries its
`config`, the constants (sizes, layouts, limits) that the restoring
environment must share; `set_state` refuses any other snapshot with
`InvalidInput`. Wrappers put the wrapped environment's snapshot inside their
own (see `EnvironmentWrapper.get_state`). `check_supports_state(env)` raises a
clear error for an environment that cannot be saved (a gymnasium environment
other than ALE, say): Go-Explore calls it before it starts.
"""

from typing import Any, Iterable, Mapping, NamedTuple, Optional

import dm_env
import numpy as np

from troupe import errors

_IMMUTABLE = frozenset((type(None), bool, int, float, complex, str, bytes))


class Snapshot(NamedTuple):
    """The saved state of one environment (or wrapper).

    Attributes:
        environment: the class name of the environment that took it.
        config: its constants that the restoring environment must match.
        data: the state itself (for a wrapper, with the wrapped environment's
            snapshot under 'inner').
    """
    environment: str
    config: Mapping[str, Any]
    data: Mapping[str, Any]


def describe(environment: Any) -> str:
    """A short name for an environment: its class, with the wrapped ones inside."""
    inner = getattr(environment, '_environment', None)
    name = type(environment).__name__
    if isinstance(inner, dm_env.Environment):
        return f'{name}({describe(inner)})'
    spec = getattr(inner, 'spec', None)  # A gymnasium environment's registration.
    if getattr(spec, 'id', None):
        return f'{name}({spec.id})'
    return name


def unsupported_reason(environment: Any) -> Optional[str]:
    """Why `environment` cannot save its state, or None when it can."""
    own = getattr(environment, 'state_unsupported_reason', None)
    if callable(own):
        return own()
    if callable(getattr(environment, 'get_state', None)) and callable(
            getattr(environment, 'set_state', None)):
        return None
    return f'{type(environment).__name__} has no get_state()/set_state()'


def supports_state(environment: Any) -> bool:
    """Whether `environment` can save and restore its state."""
    return unsupported_reason(environment) is None


def check_supports_state(environment: Any) -> Any:
    """Returns `environment`, or raises `InvalidInput` if it cannot save its state."""
    reason = unsupported_reason(environment)
    if reason is not None:
        raise errors.InvalidInput(
            f'The environment {describe(environment)} cannot save and restore its state '
            f'(get_state/set_state): {reason}. Expected a built-in environment (GridWorld, '
            f'DeepSea, Catch, CartPole, Pendulum, MountainCar(Continuous), KeyDoorRooms), a '
            f'dm_control task or an Atari game, under wrappers that forward the state.')
    return environment


class _NotData(TypeError):
    """Raised inside `_copy` at the first value that is not data."""


def _copy(value: Any) -> Any:
    kind = type(value)
    if kind in _IMMUTABLE:
        return value  # Immutable: shared safely.
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    if kind is tuple or kind is list:
        return kind([_copy(item) for item in value])
    if kind is np.ndarray:
        if value.dtype == object:
            raise _NotData(value)
        return value.copy()
    if isinstance(value, np.generic):
        return value
    if isinstance(value, tuple) and hasattr(value, '_fields'):  # A NamedTuple (Snapshot).
        return kind(*[_copy(item) for item in value])
    raise _NotData(value)


def _describe_bad(value: Any, where: str) -> Optional[str]:
    """Where in `value` the first non-data value is, and what it is."""
    if isinstance(value, np.ndarray):
        return f'{where} is an object array' if value.dtype == object else None
    if type(value) in _IMMUTABLE or isinstance(value, np.generic):
        return None
    if isinstance(value, dict):
        items = ((f'{where}[{key!r}]', item) for key, item in value.items())
    elif isinstance(value, (tuple, list)):
        items = ((f'{where}[{i}]', item) for i, item in enumerate(value))
    else:
        return f'{where} is a {type(value).__name__}'
    for path, item in items:
        found = _describe_bad(item, path)
        if found:
            return found
    return None


def copy_data(value: Any, where: str = 'state') -> Any:
    """A deep copy of `value`, checked to be data only (see the module docstring).

    Raises:
        TypeError: naming the first value that is not a numpy array (of a
            non-object dtype), a scalar, a string or bytes, in tuples, lists
            and dicts.
    """
    try:
        return _copy(value)
    except _NotData:
        raise TypeError(f'{_describe_bad(value, where)}; snapshots hold numpy arrays, '
                        f'scalars, strings and bytes in tuples, lists and dicts '
                        f'only.') from None


def make_snapshot(environment: Any, config: Mapping[str, Any],
                  data: Mapping[str, Any]) -> Snapshot:
    """Builds the snapshot of `environment` from copies of `config` and `data`."""
    name = type(environment).__name__
    return Snapshot(name, copy_data(dict(config), f'{name} config'),
                    copy_data(dict(data), f'{name} state'))


def _equal(a: Any, b: Any) -> bool:
    if type(a) is type(b) and type(a) in _IMMUTABLE:
        return a == b
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return a == b


def check_snapshot(environment: Any, snapshot: Any, config: Mapping[str, Any]) -> Snapshot:
    """Returns `snapshot` if `environment` (whose constants are `config`) can restore it.

    Raises:
        InvalidInput: for a value that is not a `Snapshot`, a snapshot of another
            environment class, or one whose constants differ (naming the first).
    """
    name = type(environment).__name__
    if not isinstance(snapshot, Snapshot):
        raise errors.InvalidInput(f'{name}.set_state expects a Snapshot from get_state(), got '
                                  f'{type(snapshot).__name__}: {snapshot!r:.200}.')
    if snapshot.environment != name:
        raise errors.InvalidInput(f'Cannot restore a snapshot of {snapshot.environment} into '
                                  f'{describe(environment)}; expected a snapshot of {name}.')
    keys = list(config) + [key for key in snapshot.config if key not in config]
    for key in keys:
        if key not in config or key not in snapshot.config or not _equal(
                config[key], snapshot.config[key]):
            raise errors.InvalidInput(
                f'Cannot restore this {name} snapshot: its {key} is '
                f'{snapshot.config.get(key, "missing")!r:.200} but this environment has '
                f'{config.get(key, "missing")!r:.200}; expected a snapshot of a {name} built '
                f'with the same arguments.')
    return snapshot


def capture(obj: Any, names: Iterable[str]) -> dict:
    """The attributes `names` of `obj`, by name (copied by `make_snapshot`)."""
    return {name: getattr(obj, name) for name in names}


def restore(obj: Any, names: Iterable[str], data: Mapping[str, Any]) -> None:
    """Sets the attributes `names` of `obj` to copies of `data`'s entries."""
    for name in names:
        setattr(obj, name, copy_data(data[name], name))


def rng_state(rng: np.random.Generator) -> dict:
    """The state of a numpy Generator, as a dict of data."""
    return rng.bit_generator.state


def set_rng_state(rng: np.random.Generator, value: Mapping[str, Any]) -> None:
    """Puts a numpy Generator back in the state `rng_state` returned."""
    rng.bit_generator.state = copy_data(dict(value), 'rng state')
