"""NFQ's default Q-network: flatten the observation, then an MLP with one
output per action."""

from typing import Sequence

import sonnet as snt

from troupe import specs
from troupe.agents import spaces
from troupe.components import utils as tf2_utils


def make_network(environment_spec: specs.EnvironmentSpec,
                 hidden_sizes: Sequence[int] = (64, 64)) -> snt.Module:
    """[B, ...] observations (nests flattened and concatenated) -> [B, num_actions].

    Raises:
      ValueError: unless the actions are discrete.
    """
    spaces.check_can_act('nfq', spaces.DISCRETE, environment_spec)
    num_actions = int(environment_spec.actions.num_values)
    return snt.Sequential([
        tf2_utils.batch_concat,
        snt.nets.MLP([int(h) for h in hidden_sizes] + [num_actions]),
    ], name='nfq_network')
