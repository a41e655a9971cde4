"""Default TD3 networks: a deterministic policy and two independent critics."""

from typing import Dict, Sequence

from troupe.agents.ddpg import networks as ddpg_networks
from troupe.components import utils as tf2_utils


def make_default_networks(action_spec,
                          policy_layer_sizes: Sequence[int] = (256, 256),
                          critic_layer_sizes: Sequence[int] = (256, 256)
                          ) -> Dict[str, object]:
    """'policy', 'critic', 'twin_critic' and 'observation' networks for TD3.

    The policy and critics are DDPG's (LayerNormMLP torsos, tanh-squashed policy,
    [B, 1] critics) at the sizes of Fujimoto et al. (2018); the two critics are
    separate modules, so they are initialised independently.
    """
    ddpg_networks.check_continuous_actions(action_spec, 'TD3')
    return {
        'policy': ddpg_networks.make_policy_network(action_spec, policy_layer_sizes),
        'critic': ddpg_networks.make_critic_network(critic_layer_sizes),
        'twin_critic': ddpg_networks.make_critic_network(critic_layer_sizes),
        'observation': tf2_utils.batch_concat,
    }
