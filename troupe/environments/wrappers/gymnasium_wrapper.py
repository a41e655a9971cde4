"""Runs a gymnasium environment behind the dm_env API.

gymnasium's `reset()` returns (observation, info) and `step()` the 5-tuple
(observation, reward, terminated, truncated, info). Here `terminated` becomes a
LAST timestep with discount 0 (a true end), `truncated` alone a LAST timestep
with discount 1 (a time limit: the future still counts). Spaces become specs:
Discrete -> DiscreteArray (BoundedArray when `start` != 0), Box -> BoundedArray
(Array when every bound is infinite), MultiDiscrete and MultiBinary ->
BoundedArray, Dict -> dict, Tuple -> tuple. Needs the `envs` extra.
"""

from typing import Any, Callable, Dict, Optional, Tuple

import dm_env
import gymnasium
import numpy as np
from dm_env import specs
from gymnasium import spaces

from troupe.environments import base, validation
from troupe.environments import state as env_state
from troupe.environments.adapters import ale_state

Converter = Callable[[Any], Any]


def space_to_spec(space: spaces.Space, name: str = 'observation') -> Any:
    """Returns the dm_env spec (possibly nested) of a gymnasium space."""
    return _convert_space(space, name)[0]


def _convert_space(space: spaces.Space, name: str) -> Tuple[Any, Converter, Converter]:
    """Returns (spec, gymnasium value -> dm_env value, dm_env action -> gymnasium)."""
    if isinstance(space, spaces.Discrete):
        n, start = int(space.n), int(space.start)
        if start == 0:
            spec = specs.DiscreteArray(n, dtype=np.int64, name=name)
        else:
            spec = specs.BoundedArray((), np.int64, start, start + n - 1, name=name)
        return spec, lambda value: np.asarray(value, dtype=np.int64), int
    if isinstance(space, spaces.Box):
        dtype = space.dtype
        if np.isinf(space.low).all() and np.isinf(space.high).all():
            spec = specs.Array(space.shape, dtype, name=name)
        else:
            spec = specs.BoundedArray(space.shape, dtype, space.low, space.high, name=name)
        return (spec, lambda value: np.asarray(value, dtype=dtype),
                lambda action: np.asarray(action, dtype=dtype))
    if isinstance(space, spaces.MultiDiscrete):
        start = np.asarray(space.start, dtype=np.int64)
        spec = specs.BoundedArray(space.shape, np.int64, start,
                                  start + np.asarray(space.nvec, dtype=np.int64) - 1, name=name)
        dtype = space.dtype
        return (spec, lambda value: np.asarray(value, dtype=np.int64),
                lambda action: np.asarray(action, dtype=dtype))
    if isinstance(space, spaces.MultiBinary):
        spec = specs.BoundedArray(space.shape, np.int8, 0, 1, name=name)
        return (spec, lambda value: np.asarray(value, dtype=np.int8),
                lambda action: np.asarray(action, dtype=np.int8))
    if isinstance(space, spaces.Dict):
        parts = {key: _convert_space(sub, f'{name}/{key}') for key, sub in space.spaces.items()}
        spec = {key: part[0] for key, part in parts.items()}
        to_dm = {key: part[1] for key, part in parts.items()}
        to_gym = {key: part[2] for key, part in parts.items()}
        return (spec, lambda value: {key: to_dm[key](value[key]) for key in to_dm},
                lambda action: {key: to_gym[key](action[key]) for key in to_gym})
    if isinstance(space, spaces.Tuple):
        parts = [_convert_space(sub, f'{name}/{i}') for i, sub in enumerate(space.spaces)]
        return (tuple(part[0] for part in parts),
                lambda value: tuple(part[1](v) for part, v in zip(parts, value)),
                lambda action: tuple(part[2](a) for part, a in zip(parts, action)))
    raise TypeError(f'Cannot convert the gymnasium space {space!r} ({type(space).__name__}) '
                    f'to a dm_env spec; supported: Discrete, Box, MultiDiscrete, MultiBinary, '
                    f'Dict, Tuple.')


class GymnasiumWrapper(dm_env.Environment):
    """A `dm_env.Environment` driving a `gymnasium.Env`.

    Actions are checked against the action spec (`InvalidActionError`) before
    they reach gymnasium. A `step()` with no episode running starts one, as
    dm_env specifies. The last `info` dict is kept in `info` (e.g. ALE's
    'lives', which `AtariWrapper` reads). `get_state`/`set_state` work for ALE
    games only (see `troupe.environments.adapters.ale_state`); for any other
    gymnasium environment they raise `InvalidInput`.
    """

    def __init__(self, environment: gymnasium.Env, seed: Optional[int] = None):
        """Wraps `environment`.

        Args:
            environment: a gymnasium environment (e.g. from `gymnasium.make`).
            seed: passed to the first `reset(seed=...)`, which seeds gymnasium's
                generator for all later episodes too.
        """
        if not isinstance(environment, gymnasium.Env):
            raise TypeError(f'GymnasiumWrapper wraps a gymnasium.Env, got {environment!r}.')
        self._environment = environment
        self._seed = seed
        self._seeded = False
        self._observation_spec, self._to_observation, _ = _convert_space(
                environment.observation_space, 'observation')
        self._action_spec, _, self._to_action = _convert_space(
                environment.action_space, 'action')
        self._check_action = validation.make_action_checker(self._action_spec)
        self._reset_next_step = True
        self._info: Dict[str, Any] = {}

    @property
    def environment(self) -> gymnasium.Env:
        """The wrapped gymnasium environment."""
        return self._environment

    @property
    def info(self) -> Dict[str, Any]:
        """The `info` dict of the last reset or step."""
        return self._info

    def reset(self) -> dm_env.TimeStep:
        seed = None if self._seeded else self._seed
        self._seeded = True
        observation, self._info = self._environment.reset(seed=seed)
        self._reset_next_step = False
        return base.timestep(base.FIRST, None, None, self._to_observation(observation))

    def step(self, action) -> dm_env.TimeStep:
        action = self._check_action(action)
        if self._reset_next_step:
            return self.reset()
        observation, reward, terminated, truncated, self._info = self._environment.step(
                self._to_action(action))
        observation = self._to_observation(observation)
        if terminated:
            self._reset_next_step = True
            return base.timestep(base.LAST, float(reward), 0.0, observation)
        if truncated:
            self._reset_next_step = True
            return base.timestep(base.LAST, float(reward), 1.0, observation)
        return base.timestep(base.MID, float(reward), 1.0, observation)

    def state_unsupported_reason(self) -> Optional[str]:
        """None for an ALE game, else why this environment cannot be saved."""
        return ale_state.unsupported_reason(self._environment)

    def _state_config(self) -> dict:
        spec = self._environment.spec
        if spec is None:
            return {'environment': type(self._environment.unwrapped).__name__}
        return {'id': spec.id, 'kwargs': repr(sorted(spec.kwargs.items()))}

    def get_state(self) -> env_state.Snapshot:
        """The emulator's state and this adapter's episode bookkeeping (ALE only).

        Raises:
            InvalidInput: for a gymnasium environment that is not an ALE game.
        """
        env_state.check_supports_state(self)
        data = {'simulator': ale_state.get_state(self._environment),
                'reset_next_step': self._reset_next_step, 'seeded': self._seeded,
                'info': self._info}
        return env_state.make_snapshot(self, self._state_config(), data)

    def set_state(self, snapshot: env_state.Snapshot) -> None:
        """Restores a snapshot from `get_state()` of the same game and settings.

        Raises:
            InvalidInput: for a gymnasium environment that is not an ALE game, or
                a snapshot of another environment or game.
        """
        env_state.check_supports_state(self)
        snapshot = env_state.check_snapshot(self, snapshot, self._state_config())
        data = snapshot.data
        ale_state.set_state(self._environment, data['simulator'])
        self._reset_next_step = bool(data['reset_next_step'])
        self._seeded = bool(data['seeded'])
        self._info = env_state.copy_data(data['info'], 'info')

    def observation_spec(self):
        return self._observation_spec

    def action_spec(self):
        return self._action_spec

    def render(self) -> np.ndarray:
        """gymnasium's `render()`; needs `render_mode='rgb_array'` at creation."""
        if getattr(self._environment, 'render_mode', None) != 'rgb_array':
            raise ValueError(
                    f'render() needs a gymnasium environment made with '
                    f'render_mode="rgb_array", got render_mode='
                    f'{getattr(self._environment, "render_mode", None)!r}.')
        return self._environment.render()

    def close(self) -> None:
        self._environment.close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith('__') or name == '_environment':
            raise AttributeError(name)
        return getattr(self._environment, name)
