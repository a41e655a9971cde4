"""Environment specs: what an agent needs to know about an environment's data."""

from typing import NamedTuple

import dm_env
from dm_env import specs as dm_env_specs

from troupe import types

# Re-exported so that `from troupe import specs; specs.BoundedArray(...)` works.
Array = dm_env_specs.Array
BoundedArray = dm_env_specs.BoundedArray
DiscreteArray = dm_env_specs.DiscreteArray
StringArray = dm_env_specs.StringArray


class EnvironmentSpec(NamedTuple):
    """The specs of an environment's observations, actions, rewards and discounts."""
    observations: types.NestedSpec
    actions: types.NestedSpec
    rewards: types.NestedSpec
    discounts: types.NestedSpec


def make_environment_spec(environment: dm_env.Environment) -> EnvironmentSpec:
    """Returns an `EnvironmentSpec` describing the values used by an environment."""
    if not isinstance(environment, dm_env.Environment):
        raise TypeError(
                f'make_environment_spec expects a dm_env.Environment, got {environment!r} '
                f'of type {type(environment).__name__}.')
    return EnvironmentSpec(
            observations=environment.observation_spec(),
            actions=environment.action_spec(),
            rewards=environment.reward_spec(),
            discounts=environment.discount_spec())
