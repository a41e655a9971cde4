"""The on-policy family's default feed-forward network:
observations -> (policy logits, state value)."""

from typing import Sequence, Tuple

import sonnet as snt
import tensorflow as tf

from troupe import specs
from troupe.agents import spaces
from troupe.components import networks
from troupe.components import utils as tf2_utils


class PolicyValueMLP(snt.Module):
    """Flattened observations -> (logits [B, A], value [B]) with MLPs.

    With `shared_torso` one MLP feeds a `networks.PolicyValueHead`; otherwise
    policy and value have their own MLPs, so the value loss (whose scale grows
    with the returns) cannot disturb the policy's features.
    """

    def __init__(self, num_actions: int, hidden_sizes: Sequence[int] = (64, 64),
                 shared_torso: bool = False, name: str = 'policy_value_mlp'):
        super().__init__(name=name)
        hidden_sizes = [int(h) for h in hidden_sizes]
        if any(h < 1 for h in hidden_sizes):
            raise ValueError(f'hidden_sizes must be positive, got {hidden_sizes}.')
        self._shared = shared_torso
        if shared_torso:
            self._torso = snt.nets.MLP(hidden_sizes, activate_final=True, name='torso')
            self._head = networks.PolicyValueHead(num_actions)
        else:
            self._policy = snt.nets.MLP(hidden_sizes + [int(num_actions)], name='policy')
            self._value = snt.nets.MLP(hidden_sizes + [1], name='value')

    def __call__(self, observations) -> Tuple[tf.Tensor, tf.Tensor]:
        inputs = tf.cast(tf2_utils.batch_concat(observations), tf.float32)
        if self._shared:
            return self._head(self._torso(inputs))
        return self._policy(inputs), tf.squeeze(self._value(inputs), axis=-1)


def num_actions(environment_spec: specs.EnvironmentSpec, agent: str) -> int:
    """The number of actions; raises (naming `agent`) unless they are discrete."""
    spaces.check_can_act(agent, spaces.DISCRETE, environment_spec)
    return int(environment_spec.actions.num_values)


def make_mlp_network(environment_spec: specs.EnvironmentSpec,
                     hidden_sizes: Sequence[int] = (64, 64),
                     shared_torso: bool = False,
                     agent: str = 'make_network') -> PolicyValueMLP:
    """A `PolicyValueMLP` for the environment's (discrete) actions."""
    return PolicyValueMLP(num_actions(environment_spec, agent), hidden_sizes,
                          shared_torso)
