"""The base of troupe's built-in environments: seeding, episode bookkeeping, rendering.

Every built-in environment is a `dm_env.Environment` that:

- takes a `seed` (None or an integer in [0, 2**32 - 1], checked: see
  `arguments`) and draws all its randomness from one `np.random.Generator`
  made from it, so the same seed gives the same episodes;
- checks every action against its action spec (see `validation`) and raises
  `InvalidActionError` naming the action and the spec;
- follows dm_env's rule for a `step()` with no episode running (before the first
  `reset()`, or after a LAST timestep): it starts a new episode, ignores the
  (already checked) action and returns the FIRST timestep;
- renders its current state to an RGB array with `render()`;
- can save and restore its state (`get_state()` / `set_state(snapshot)`, see
  `troupe.environments.state`) when it lists its dynamic attributes in
  `_STATE_ATTRIBUTES` and its constants in `_state_config()`: the base adds the
  episode position and the generator's state.
"""

import abc
from typing import Any, Optional, Tuple

import dm_env
import numpy as np

from troupe.environments import arguments, validation
from troupe.environments import state as env_state

# `dm_env.TimeStep(...)` goes through a Python-level `__new__`; building the tuple
# directly skips it, which matters on the per-step path of cheap environments.
_tuple_new = tuple.__new__
_TimeStep = dm_env.TimeStep
FIRST = dm_env.StepType.FIRST
MID = dm_env.StepType.MID
LAST = dm_env.StepType.LAST


def timestep(step_type: dm_env.StepType, reward: Any, discount: Any,
             observation: Any) -> dm_env.TimeStep:
    """Builds a `dm_env.TimeStep` without the named-tuple constructor's overhead."""
    return _tuple_new(_TimeStep, (step_type, reward, discount, observation))


class Environment(dm_env.Environment, abc.ABC):
    """A seeded, action-checking `dm_env.Environment` that renders to RGB.

    Subclasses implement `_reset()`, `_step(action)` (which receives the checked
    action), the specs and `render()`. Those that can be saved name the attributes
    holding their dynamic state in `_STATE_ATTRIBUTES` (plain data: scalars,
    tuples, arrays) and return their constants from `_state_config()`.
    """

    # The attributes `get_state` saves besides the episode position and the
    # generator; None: this environment cannot save its state.
    _STATE_ATTRIBUTES: Optional[Tuple[str, ...]] = None

    def __init__(self, seed: Optional[int] = None):
        seed = arguments.check_seed(seed)
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        self._reset_next_step = True
        self._check_action = None

    @property
    def seed(self) -> Optional[int]:
        """The seed this environment was built with."""
        return self._seed

    def reset(self) -> dm_env.TimeStep:
        """Starts a new episode and returns its FIRST timestep."""
        self._reset_next_step = False
        return self._reset()

    def step(self, action: Any) -> dm_env.TimeStep:
        """Checks `action`, applies it and returns the next timestep.

        With no episode running (no `reset()` yet, or the last timestep was LAST),
        starts a new episode instead, as dm_env specifies.
        """
        if self._check_action is None:
            self._check_action = validation.make_action_checker(self.action_spec())
        action = self._check_action(action)
        if self._reset_next_step:
            return self.reset()
        result = self._step(action)
        if result[0] is LAST:
            self._reset_next_step = True
        return result

    def state_unsupported_reason(self) -> Optional[str]:
        """None if `get_state`/`set_state` work, else why not."""
        if self._STATE_ATTRIBUTES is None:
            return f'{type(self).__name__} does not implement it'
        return None

    def _state_config(self) -> dict:
        """The constants a snapshot must match to be restored here (sizes, layouts)."""
        return {}

    def get_state(self) -> env_state.Snapshot:
        """A data-only snapshot of the current state (see `troupe.environments.state`).

        It holds the attributes in `_STATE_ATTRIBUTES`, whether an episode is
        running (a snapshot taken at LAST makes the next `step()` start a new
        episode) and the random generator's state.
        """
        env_state.check_supports_state(self)
        data = env_state.capture(self, self._STATE_ATTRIBUTES)
        data['_reset_next_step'] = self._reset_next_step
        data['rng'] = env_state.rng_state(self._rng)
        return env_state.make_snapshot(self, self._state_config(), data)

    def set_state(self, snapshot: env_state.Snapshot) -> None:
        """Restores a snapshot from `get_state()` of an environment like this one.

        Raises:
            InvalidInput: if `snapshot` is not a snapshot of this class built with
                the same constants (see `troupe.environments.state.check_snapshot`).
        """
        env_state.check_supports_state(self)
        snapshot = env_state.check_snapshot(self, snapshot, self._state_config())
        env_state.restore(self, self._STATE_ATTRIBUTES + ('_reset_next_step',), snapshot.data)
        env_state.set_rng_state(self._rng, snapshot.data['rng'])

    @abc.abstractmethod
    def _reset(self) -> dm_env.TimeStep:
        """Resets the state and returns the FIRST timestep."""

    @abc.abstractmethod
    def _step(self, action: Any) -> dm_env.TimeStep:
        """Applies a checked action and returns the next timestep."""

    @abc.abstractmethod
    def render(self) -> np.ndarray:
        """Returns the current state as an RGB image, uint8 of shape (H, W, 3)."""


class TupleStateEnvironment(Environment):
    """An Environment whose physics state is a tuple of Python floats.

    Plain floats keep the per-step arithmetic cheap; `state` reads and sets it as a
    float64 array of `STATE_SIZE` entries (e.g. to start from a chosen state).
    """

    STATE_SIZE = 0

    @property
    def state(self) -> np.ndarray:
        """The float64 physics state (see the class docstring for its entries)."""
        return np.array(self._state, dtype=np.float64)

    @state.setter
    def state(self, value) -> None:
        value = np.asarray(value, dtype=np.float64)
        if value.shape != (self.STATE_SIZE,):
            raise ValueError(f'{type(self).__name__} state must have shape '
                             f'({self.STATE_SIZE},), got {value.shape}.')
        self._state = tuple(value.tolist())
