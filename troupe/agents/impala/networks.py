"""IMPALA's default networks: feed-forward MLPs or an MLP torso with an LSTM."""

from typing import Sequence

import sonnet as snt

from troupe import specs
from troupe.agents.on_policy import networks as on_policy_networks
from troupe.components import networks
from troupe.components import utils as tf2_utils


def make_network(environment_spec: specs.EnvironmentSpec,
                 hidden_sizes: Sequence[int] = (64, 64),
                 recurrent: bool = False,
                 lstm_size: int = 64,
                 shared_torso: bool = False) -> snt.Module:
    """A `PolicyValueMLP` (its `shared_torso` as given), or with `recurrent` an
    `LSTMPolicyValueNetwork` whose torso is an MLP of `hidden_sizes`."""
    num_actions = on_policy_networks.num_actions(environment_spec, 'impala')
    if not recurrent:
        return on_policy_networks.PolicyValueMLP(num_actions, hidden_sizes,
                                                 shared_torso)
    mlp = snt.nets.MLP([int(h) for h in hidden_sizes], activate_final=True,
                       name='torso')
    # A module (not a lambda), so that copy.deepcopy copies the torso too.
    torso = snt.Sequential([tf2_utils.batch_concat, mlp], name='flatten_torso')
    return networks.LSTMPolicyValueNetwork(num_actions, hidden_size=lstm_size,
                                           torso=torso)
