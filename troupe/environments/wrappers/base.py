"""The base of every wrapper: forwards everything to the wrapped environment."""

from typing import Any, Optional, Tuple

import dm_env
import numpy as np

from troupe.environments import state as env_state


class EnvironmentWrapper(dm_env.Environment):
    """A `dm_env.Environment` that delegates to another one.

    Subclasses override only what they change. Attributes the wrapper lacks
    (e.g. `render`, `model`) are looked up on the wrapped environment, so a
    stack of wrappers still exposes what the innermost environment offers.

    `get_state()` / `set_state()` (see `troupe.environments.state`) save the
    wrapped environment's snapshot together with the wrapper's own state: the
    attributes named in `_STATE_ATTRIBUTES` (none for a wrapper that keeps no
    state between steps), or what `_get_own_state` returns. A wrapper whose
    state cannot be saved sets `_STATE_ATTRIBUTES = None`.
    """

    _STATE_ATTRIBUTES: Optional[Tuple[str, ...]] = ()

    def __init__(self, environment: dm_env.Environment):
        if not isinstance(environment, dm_env.Environment):
            raise TypeError(f'{type(self).__name__} wraps a dm_env.Environment, got '
                            f'{environment!r} of type {type(environment).__name__}.')
        self._environment = environment

    @property
    def environment(self) -> dm_env.Environment:
        """The wrapped environment."""
        return self._environment

    def __getattr__(self, name: str) -> Any:
        if name.startswith('__') or name == '_environment':
            raise AttributeError(name)
        return getattr(self._environment, name)

    def reset(self) -> dm_env.TimeStep:
        return self._environment.reset()

    def step(self, action) -> dm_env.TimeStep:
        return self._environment.step(action)

    def observation_spec(self):
        return self._environment.observation_spec()

    def action_spec(self):
        return self._environment.action_spec()

    def reward_spec(self):
        return self._environment.reward_spec()

    def discount_spec(self):
        return self._environment.discount_spec()

    def render(self, *args, **kwargs) -> np.ndarray:
        return self._environment.render(*args, **kwargs)

    def close(self) -> None:
        return self._environment.close()

    # State save/restore.

    def state_unsupported_reason(self) -> Optional[str]:
        """None if `get_state`/`set_state` work here and in every wrapped
        environment, else why not."""
        if self._STATE_ATTRIBUTES is None:
            return f'{type(self).__name__} cannot save its own state'
        return env_state.unsupported_reason(self._environment)

    def _state_config(self) -> dict:
        """The wrapper's constants a snapshot must match to be restored here."""
        return {}

    def _get_own_state(self) -> dict:
        """The wrapper's own state (copied by `get_state`)."""
        return env_state.capture(self, self._STATE_ATTRIBUTES)

    def _set_own_state(self, data: dict) -> None:
        """Restores what `_get_own_state` returned (the entries are copied here)."""
        env_state.restore(self, self._STATE_ATTRIBUTES, data)

    def get_state(self) -> env_state.Snapshot:
        """The wrapper's state, with the wrapped environment's snapshot under 'inner'."""
        env_state.check_supports_state(self)
        snapshot = env_state.make_snapshot(self, self._state_config(), self._get_own_state())
        snapshot.data['inner'] = self._environment.get_state()
        return snapshot

    def set_state(self, snapshot: env_state.Snapshot) -> None:
        """Restores a snapshot from `get_state()` of a wrapper stack like this one.

        Raises:
            InvalidInput: if it is not a snapshot of this wrapper class with the
                same constants, or the wrapped environment refuses its part.
        """
        env_state.check_supports_state(self)
        snapshot = env_state.check_snapshot(self, snapshot, self._state_config())
        self._environment.set_state(snapshot.data['inner'])
        self._set_own_state(snapshot.data)
