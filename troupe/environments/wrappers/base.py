"""The base of every wrapper: forwards everything to the wrapped environment."""

from typing import Any

import dm_env
import numpy as np


class EnvironmentWrapper(dm_env.Environment):
    """A `dm_env.Environment` that delegates to another one.

    Subclasses override only what they change. Attributes the wrapper lacks
    (e.g. `render`, `model`) are looked up on the wrapped environment, so a
    stack of wrappers still exposes what the innermost environment offers.
    """

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
