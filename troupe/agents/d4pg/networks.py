"""Default D4PG networks, as in Acme's D4PG example and quickstart."""

from typing import Dict, Sequence

import sonnet as snt

from troupe.agents.ddpg import networks as ddpg_networks
from troupe.components import networks
from troupe.components import utils as tf2_utils


def make_default_networks(action_spec,
                          policy_layer_sizes: Sequence[int] = (256, 256, 256),
                          critic_layer_sizes: Sequence[int] = (512, 512, 256),
                          vmin: float = -150.,
                          vmax: float = 150.,
                          num_atoms: int = 51) -> Dict[str, object]:
    """'policy', 'critic' and 'observation' networks for D4PG.

    policy: LayerNormMLP (activate_final) -> NearZeroInitializedLinear -> TanhToSpec;
    critic: CriticMultiplexer(LayerNormMLP(activate_final)) -> DiscreteValuedHead
    with `num_atoms` atoms evenly spaced in [vmin, vmax];
    observation: batch_concat (flattens nested observations).
    """
    ddpg_networks.check_continuous_actions(action_spec, 'D4PG')
    critic = snt.Sequential([
        networks.CriticMultiplexer(
            critic_network=networks.LayerNormMLP(critic_layer_sizes,
                                                 activate_final=True)),
        networks.DiscreteValuedHead(vmin, vmax, num_atoms),
    ], name='critic')
    return {
        'policy': ddpg_networks.make_policy_network(action_spec, policy_layer_sizes),
        'critic': critic,
        'observation': tf2_utils.batch_concat,
    }
