"""Networks of MADDPG: per-agent policies and critics behind two containers.

`MultiAgentPolicy` maps the dict of observations to the dict of actions, each
agent's policy seeing only its own observation. `MultiAgentCritic` holds one
critic Q_i per agent and chooses its inputs: all agents' observations and
actions (a centralised critic, MADDPG) or agent i's own (an independent critic,
the independent-DDPG baseline). Critics are plain Q(observation, action) modules
in either case, e.g. `actor_critic.make_critic_network`'s `CriticMultiplexer`,
which flattens and concatenates whatever nests it is given. `MADDPGNetworks`
holds the dicts; the checks of multi-agent specs and network dicts are here.
"""

from typing import Dict, Mapping, NamedTuple, Sequence, Tuple

import sonnet as snt
import tensorflow as tf

from troupe import errors, specs, types
from troupe.agents.actor_critic import networks as ac_networks
from troupe.agents.maddpg.config import MADDPGConfig


class MADDPGNetworks(NamedTuple):
    """Every agent's networks, keyed by agent id; the learner makes the targets.

    Attributes:
      policies: {agent id: μ_i}, agent i's observation -> its action.
      critics: {agent id: Q_i}, (observations, actions) -> [B, 1]: all agents'
        dicts with centralised critics, else agent i's own.
    """

    policies: Dict[str, snt.Module]
    critics: Dict[str, snt.Module]


def check_multi_agent_spec(environment_spec: specs.EnvironmentSpec,
                           who: str = 'MADDPG') -> Tuple[str, ...]:
    """Returns the agent ids of a multi-agent spec with continuous actions.

    The four specs must be dicts with the same keys (`troupe.environments.
    multiagent`), and every agent's action spec a float BoundedArray with finite
    bounds.

    Raises:
      InvalidInput: naming the offending spec and what was expected.
    """
    fields = environment_spec._asdict()
    for field, spec in fields.items():
        if not isinstance(spec, Mapping) or not spec:
            raise errors.InvalidInput(
                f'{who} needs a multi-agent environment spec whose observations, '
                'actions, rewards and discounts are dicts keyed by agent id (see '
                f'troupe.environments.multiagent), got {field}={spec!r}.')
    ids = tuple(environment_spec.actions)
    for field, spec in fields.items():
        if set(spec) != set(ids):
            raise errors.InvalidInput(
                f'{who} needs the same agent ids in every spec: actions has '
                f'{list(ids)} but {field} has {list(spec)}.')
    for i in ids:
        ac_networks.check_continuous_actions(environment_spec.actions[i],
                                             f'{who} (agent {i!r})')
    return ids


def check_agent_keys(name: str, networks, agent_ids: Tuple[str, ...]) -> None:
    """Raises unless `networks` is a dict keyed by exactly `agent_ids`."""
    if not isinstance(networks, Mapping):
        raise errors.InvalidInput(f'{name} must be a dict keyed by the agent ids '
                                  f'{list(agent_ids)}, got {type(networks).__name__}: '
                                  f'{networks!r}.')
    if set(networks) != set(agent_ids):
        raise errors.InvalidInput(f'{name} must be a dict keyed by the agent ids '
                                  f'{sorted(agent_ids)}, got keys {sorted(networks)}.')


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
    Gaussian noise (`actor_critic.make_behavior_network`, σ relative to the
    half-range). Its variables are the policies', in `MultiAgentPolicy`'s order."""
    return MultiAgentPolicy({
        i: ac_networks.make_behavior_network(policy, environment_spec.actions[i],
                                             sigma)
        for i, policy in policies.items()}, name='behavior_network')


def make_networks(environment_spec: specs.EnvironmentSpec,
                  policy_hidden_sizes: Sequence[int] = MADDPGConfig.policy_hidden_sizes,
                  critic_hidden_sizes: Sequence[int] = MADDPGConfig.critic_hidden_sizes
                  ) -> MADDPGNetworks:
    """One policy and one critic per agent, `MADDPGNetworks(policies, critics)`.

    The policies are DDPG's (LayerNormMLP, tanh to the bounds) on the agent's own
    observation; the critics are DDPG's (a LayerNormMLP on the concatenated
    inputs). The same networks serve centralised and independent critics: the
    learner builds their variables on its device, for the input the agent's
    `centralised_critics` chooses (the first layer of Q_i then has
    sum_j (|o_j| + |a_j|) or |o_i| + |a_i| inputs).
    """
    ids = check_multi_agent_spec(environment_spec, 'maddpg.make_networks')
    return MADDPGNetworks(
        policies={i: ac_networks.make_policy_network(
            environment_spec.actions[i], policy_hidden_sizes) for i in ids},
        critics={i: ac_networks.make_critic_network(critic_hidden_sizes)
                 for i in ids})
