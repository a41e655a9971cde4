"""Default DQN Q-networks: an MLP (optionally duelling) for vector observations and
the Ape-X `DQNAtariNetwork` for Atari frames."""

from typing import Sequence

import sonnet as snt
import tree

from troupe import errors, specs
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


class ExtrinsicIntrinsicQ(snt.Module):
    """Two Q-networks, extrinsic and intrinsic, whose values are summed for
    acting: Q(s, ·) = Q_E(s, ·) + Q_I(s, ·).

    DQN with an intrinsic reward (`DQNConfig.intrinsic_reward`) learns each
    stream with its own TD target and discount (the intrinsic one without
    episode ends, as in RND) and acts ε-greedily on the sum. The streams are
    separate networks so that the non-stationary intrinsic targets do not
    move the extrinsic stream's features; `trainable_variables` holds both
    (extrinsic first), so actors receive both.
    """

    def __init__(self, extrinsic: snt.Module, intrinsic: snt.Module,
                 name: str = 'extrinsic_intrinsic_q'):
        """Combines two Q-networks of the same output shape [B, num_actions].

        Args:
          extrinsic: Q_E, learned from the environment's rewards.
          intrinsic: Q_I, learned from the intrinsic rewards.
          name: the module name.
        """
        super().__init__(name=name)
        self.extrinsic = extrinsic
        self.intrinsic = intrinsic

    def __call__(self, observations):
        """Q_E + Q_I, [B, num_actions]."""
        return self.extrinsic(observations) + self.intrinsic(observations)


def check_intrinsic_network(network, where: str) -> None:
    """Raises an InvalidInput unless `network` is an `ExtrinsicIntrinsicQ`
    (what DQN with an intrinsic reward needs)."""
    if not isinstance(network, ExtrinsicIntrinsicQ):
        raise errors.InvalidInput(
            f'{where}: DQN with an intrinsic reward needs an ExtrinsicIntrinsicQ '
            f'network (an extrinsic and an intrinsic Q-network, summed for acting; '
            f'DQNBuilder.make_networks makes one), got {type(network).__name__}. Wrap '
            'yours: dqn.ExtrinsicIntrinsicQ(network, a second network like it).')
