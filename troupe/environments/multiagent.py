"""The multi-agent convention of troupe's environments (what MADDPG consumes).

A multi-agent environment is an ordinary `dm_env.Environment` whose four specs
are dicts keyed by agent id, the strings '0', '1', ..., 'N-1' in that order:

    observation_spec() -> {'0': Array, '1': Array, ...}   one observation per agent
    action_spec()      -> {'0': BoundedArray, ...}         one action per agent
    reward_spec()      -> {'0': Array((), float64), ...}   one reward per agent
    discount_spec()    -> {'0': BoundedArray((), float64, 0, 1), ...}

`step()` takes a dict of actions with the same keys, and every timestep carries
dicts of observations, rewards and discounts with the same keys; the step type
is shared (all agents start and end episodes together). Because all four are
nests of the same shape, adders and losses handle them with dm-tree as they do
single-agent data. `agent_spec` cuts one agent's `EnvironmentSpec` out.
"""

from typing import Dict, Sequence, Tuple

import numpy as np
from dm_env import specs as dm_specs

from troupe import specs


def agent_ids(num_agents: int) -> Tuple[str, ...]:
    """The ids of `num_agents` agents: '0', '1', ..."""
    if num_agents < 1:
        raise ValueError(f'num_agents must be >= 1, got {num_agents!r}.')
    return tuple(str(i) for i in range(num_agents))


def reward_and_discount_specs(ids: Sequence[str]
                              ) -> Tuple[Dict[str, dm_specs.Array],
                                         Dict[str, dm_specs.BoundedArray]]:
    """The convention's reward spec (a float64 scalar per agent) and discount
    spec (a float64 scalar in [0, 1] per agent) for the agents `ids`."""
    rewards = {i: dm_specs.Array((), np.float64, name=f'reward_{i}') for i in ids}
    discounts = {i: dm_specs.BoundedArray((), np.float64, 0.0, 1.0,
                                          name=f'discount_{i}') for i in ids}
    return rewards, discounts


def agent_spec(environment_spec: specs.EnvironmentSpec,
               agent_id: str) -> specs.EnvironmentSpec:
    """Returns the `EnvironmentSpec` that one agent sees in a multi-agent spec."""
    try:
        return specs.EnvironmentSpec(*(field[agent_id] for field in environment_spec))
    except (KeyError, TypeError):
        known = list(environment_spec.observations) if isinstance(
                environment_spec.observations, dict) else []
        raise ValueError(f'Unknown agent id {agent_id!r}; expected one of {known} in a '
                         f'multi-agent spec of dicts keyed by agent id.') from None


def team_return(episode_return) -> float:
    """One number for an episode's return: the mean over agents of a multi-agent
    return (a dict keyed by agent id; the team's score, as MADDPG's studies
    report it), the number itself for a single agent (summed if an array)."""
    if isinstance(episode_return, dict):
        return float(np.mean([np.sum(value) for value in episode_return.values()]))
    return float(np.sum(episode_return))
