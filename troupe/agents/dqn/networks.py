"""Default DQN Q-networks: an MLP (optionally duelling) for vector observations and
the Ape-X `DQNAtariNetwork` for Atari frames."""

from typing import Sequence

import sonnet as snt

from troupe import specs
from troupe.components import networks
from troupe.components import utils as tf2_utils


class FlattenObservation(snt.Module):
    """Flattens and concatenates (nested) observations to [B, D] float features."""

    def __init__(self, name: str = 'flatten_observation'):
        super().__init__(name=name)

    def __call__(self, observations):
        return tf2_utils.batch_concat(observations)


def make_mlp_network(environment_spec: specs.EnvironmentSpec,
                     hidden_sizes: Sequence[int] = (64, 64),
                     dueling: bool = False) -> snt.Module:
    """Flatten, then an MLP (or a `DuellingMLP` head) with one output per action."""
    from troupe.agents.dqn.builder import check_discrete_actions
    num_actions = check_discrete_actions(environment_spec)
    hidden_sizes = [int(h) for h in hidden_sizes]
    if dueling:
        head = networks.DuellingMLP(num_actions, hidden_sizes=hidden_sizes)
    else:
        head = snt.nets.MLP(hidden_sizes + [num_actions])
    return snt.Sequential([FlattenObservation(), head])


def make_atari_network(environment_spec: specs.EnvironmentSpec) -> snt.Module:
    """The duelling Nature-DQN convnet for [H, W, C] frames."""
    from troupe.agents.dqn.builder import check_discrete_actions
    return networks.DQNAtariNetwork(check_discrete_actions(environment_spec))
