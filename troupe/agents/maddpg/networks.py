"""Networks of MADDPG: per-agent policies and critics behind two containers.

`MultiAgentPolicy` maps the dict of observations to the dict of actions, each
agent's policy seeing only its own observation. `MultiAgentCritic` holds one
critic Q_i per agent and chooses its inputs: all agents' observations and
actions (a centralised critic, MADDPG) or agent i's own (an independent critic,
the independent-DDPG baseline). Critics are plain Q(observation, action) modules
in either case, e.g. `ddpg.make_default_networks`'s `CriticMultiplexer`, which
flattens and concatenates whatever nests it is given.
"""

from typing import Dict, Mapping, Sequence

import sonnet as snt
import tensorflow as tf

from troupe import specs, types
from troupe.agents.ddpg import networks as ddpg_networks
from troupe.agents.maddpg import config as config_lib


class MultiAgentPolicy(snt.Module):
    """{id: μ_id}: a dict of observations -> the dict of actions, agent by agent."""

    def __init__(self, policies: Mapping[str, snt.Module],
                 name: str = 'multi_agent_policy'):
        super().__init__(name=name)
        self.policies = dict(policies)

    def __call__(self, observations: Mapping[str, tf.Tensor]) -> Dict[str, tf.Tensor]:
        return {i: policy(observations[i]) for i, policy in self.policies.items()}


class MultiAgentCritic(snt.Module):
    """{id: Q_id}, each fed all agents' inputs (centralised) or its own."""

    def __init__(self, critics: Mapping[str, snt.Module], centralised: bool,
                 name: str = 'multi_agent_critic'):
        super().__init__(name=name)
        self.critics = dict(critics)
        self.centralised = centralised

    def inputs(self, agent_id: str, observations: types.NestedTensor,
               actions: types.NestedTensor):
        """What Q_{agent_id} sees: the full dicts, or this agent's entries."""
        if self.centralised:
            return observations, actions
        return observations[agent_id], actions[agent_id]

    def value(self, agent_id: str, observations: Mapping[str, tf.Tensor],
              actions: Mapping[str, tf.Tensor]) -> tf.Tensor:
        """Q_{agent_id}(inputs), shape [B]."""
        critic = self.critics[agent_id]
        return tf.squeeze(critic(*self.inputs(agent_id, observations, actions)),
                          axis=-1)

    def __call__(self, observations: Mapping[str, tf.Tensor],
                 actions: Mapping[str, tf.Tensor]) -> Dict[str, tf.Tensor]:
        """Every agent's Q-values, {id: [B]}."""
        return {i: self.value(i, observations, actions) for i in self.critics}


def make_behavior_network(policies: Mapping[str, snt.Module],
                          environment_spec: specs.EnvironmentSpec,
                          sigma: float) -> MultiAgentPolicy:
    """The exploring joint policy: each agent's policy plus its own clipped
    Gaussian noise (`ddpg.make_behavior_network`, σ relative to the half-range)."""
    return MultiAgentPolicy({
        i: ddpg_networks.make_behavior_network(policy, environment_spec.actions[i],
                                               sigma)
        for i, policy in policies.items()}, name='behavior_network')


def make_default_networks(environment_spec: specs.EnvironmentSpec,
                          policy_layer_sizes: Sequence[int] = (64, 64),
                          critic_layer_sizes: Sequence[int] = (64, 64)
                          ) -> Dict[str, Dict[str, snt.Module]]:
    """One policy and one critic per agent: {'policies': {id: μ}, 'critics': {id: Q}}.

    The policies are DDPG's (LayerNormMLP, tanh to the bounds) on the agent's own
    observation; the critics are DDPG's (a LayerNormMLP on the concatenated
    inputs). The same networks serve centralised and independent critics: the
    learner builds their variables on its device, for the input the agent's
    `centralised_critics` chooses (the first layer of Q_i then has
    sum_j (|o_j| + |a_j|) or |o_i| + |a_i| inputs).
    """
    ids = config_lib.check_multi_agent_spec(environment_spec, 'make_default_networks')
    return {
        'policies': {i: ddpg_networks.make_policy_network(
            environment_spec.actions[i], policy_layer_sizes) for i in ids},
        'critics': {i: ddpg_networks.make_critic_network(critic_layer_sizes)
                    for i in ids},
    }
