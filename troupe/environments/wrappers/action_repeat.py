"""Repeats each action for several environment steps (frame skipping)."""

import dm_env
import tree

from troupe.environments.wrappers import base


class ActionRepeatWrapper(base.EnvironmentWrapper):
    """Each `step(action)` applies `action` `num_repeats` times (fewer if the
    episode ends) and returns one timestep for them all.

    Its reward is the discounted sum r1 + d1 r2 + d1 d2 r3 + ... and its discount
    the product d1 d2 d3 ... of the inner steps' rewards and discounts, so that
    returns computed from the wrapped steps equal those of the inner steps
    (with discounts of 1, the reward is the plain sum).
    """

    def __init__(self, environment: dm_env.Environment, num_repeats: int):
        super().__init__(environment)
        if int(num_repeats) != num_repeats or num_repeats < 1:
            raise ValueError(f'num_repeats must be a positive int, got {num_repeats!r}.')
        self._num_repeats = int(num_repeats)

    def _state_config(self) -> dict:
        return {'num_repeats': self._num_repeats}

    def step(self, action) -> dm_env.TimeStep:
        timestep = self._environment.step(action)
        if timestep.first():
            return timestep
        reward, discount = timestep.reward, timestep.discount
        for _ in range(self._num_repeats - 1):
            if timestep.last():
                break
            timestep = self._environment.step(action)
            reward = tree.map_structure(lambda total, d, r: total + d * r,
                                        reward, discount, timestep.reward)
            discount = tree.map_structure(lambda total, d: total * d,
                                          discount, timestep.discount)
        return timestep._replace(reward=reward, discount=discount)
