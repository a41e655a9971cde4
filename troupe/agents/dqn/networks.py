"""Default DQN Q-networks: an MLP (optionally duelling) for vector observations and
the Ape-X `DQNAtariNetwork` for Atari frames."""

from typing import Sequence

import sonnet as snt
import tree

from troupe import specs
from troupe.agents import spaces
from troupe.components import networks


def num_actions(environment_spec: specs.EnvironmentSpec, agent: str = 'DQN') -> int:
    """The number of actions; raises unless the action spec is discrete."""
    spaces.check_can_act(agent, spaces.DISCRETE, environment_spec)
    return int(environment_spec.actions.num_values)


def make_mlp_network(environment_spec: specs.EnvironmentSpec,
                     hidden_sizes: Sequence[int] = (64, 64),
                     dueling: bool = False) -> snt.Module:
    """Flatten, then an MLP (or a `DuellingMLP` head) with one output per action."""
    actions = num_actions(environment_spec)
    hidden_sizes = [int(h) for h in hidden_sizes]
    if dueling:
        head = networks.DuellingMLP(actions, hidden_sizes=hidden_sizes)
    else:
        head = snt.nets.MLP(hidden_sizes + [actions])
    return snt.Sequential([networks.FlattenObservation(), head])


def make_atari_network(environment_spec: specs.EnvironmentSpec) -> snt.Module:
    """The duelling Nature-DQN convnet for [H, W, C] frames."""
    return networks.DQNAtariNetwork(num_actions(environment_spec))


def is_image(spec) -> bool:
    """Whether an observation spec is one [H, W, C] frame."""
    return not tree.is_nested(spec) and len(getattr(spec, 'shape', ())) == 3


def make_default_network(environment_spec: specs.EnvironmentSpec, config) -> snt.Module:
    """The Atari network for frames, else an MLP of `config.hidden_sizes`
    (duelling if `config.dueling`)."""
    if is_image(environment_spec.observations):
        return make_atari_network(environment_spec)
    return make_mlp_network(environment_spec, config.hidden_sizes, config.dueling)
