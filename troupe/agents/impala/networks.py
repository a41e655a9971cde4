"""IMPALA's default networks: feed-forward MLPs or an MLP torso with an LSTM."""

from typing import Sequence

import sonnet as snt

from troupe import specs
from troupe.agents.a2c import acting
from troupe.agents.a2c.networks import PolicyValueMLP
from troupe.components import networks
from troupe.components import utils as tf2_utils


def make_network(environment_spec: specs.EnvironmentSpec,
                 hidden_sizes: Sequence[int] = (64, 64),
                 recurrent: bool = False,
                 lstm_size: int = 64) -> snt.Module:
    """A `PolicyValueMLP`, or with `recurrent` an `LSTMPolicyValueNetwork` whose
    torso is an MLP of `hidden_sizes`."""
    num_actions = acting.check_discrete_actions(environment_spec, 'make_network')
    if not recurrent:
        return PolicyValueMLP(num_actions, hidden_sizes)
    mlp = snt.nets.MLP([int(h) for h in hidden_sizes], activate_final=True,
                       name='torso')
    # A module (not a lambda), so that copy.deepcopy copies the torso too.
    torso = snt.Sequential([tf2_utils.batch_concat, mlp], name='flatten_torso')
    return networks.LSTMPolicyValueNetwork(num_actions, hidden_size=lstm_size,
                                           torso=torso)
