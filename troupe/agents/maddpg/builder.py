"""Builders of MADDPG's parts, for the single-process agent and a distributed
runtime. Replay table, adder, dataset and schedule are DDPG's (they handle the
dicts of a multi-agent spec leaf by leaf); the actors act for all agents."""

import copy
from typing import Mapping, Optional

import sonnet as snt
import tensorflow as tf

from troupe import core, specs
from troupe.agents.ddpg import builder as ddpg_builder
from troupe.agents.ddpg import learning as ddpg_learning
from troupe.agents.maddpg import config as config_lib
from troupe.agents.maddpg import learning
from troupe.agents.maddpg import networks as maddpg_networks
from troupe.components import actors, adders, devices
from troupe.components.variables import VariableClient


make_replay_table = ddpg_builder.make_replay_table
make_adder = ddpg_builder.make_adder
make_dataset = ddpg_builder.make_dataset
min_observations = ddpg_builder.min_observations
observations_per_step = ddpg_builder.observations_per_step


def _client(policy: maddpg_networks.MultiAgentPolicy,
            variable_source: Optional[core.VariableSource]) -> Optional[VariableClient]:
    """A client refreshing `policy` from the source's 'policy' group, if any."""
    if variable_source is None:
        return None
    return VariableClient(variable_source, {'policy': list(policy.variables)})


def make_actor(policy_networks: Mapping[str, snt.Module],
               environment_spec: specs.EnvironmentSpec,
               sigma: float,
               adder: Optional[adders.Adder] = None,
               variable_source: Optional[core.VariableSource] = None
               ) -> actors.FeedForwardActor:
    """A FeedForwardActor for all agents: dict of observations -> dict of actions,
    each agent's policy plus its own clipped Gaussian noise.

    With a `variable_source` the policies are the actor's own copies, refreshed
    from the source's 'policy' group (every agent's policy, in container order).
    """
    behavior = maddpg_networks.make_behavior_network(policy_networks,
                                                     environment_spec, sigma)
    client = _client(maddpg_networks.MultiAgentPolicy(policy_networks), variable_source)
    return actors.FeedForwardActor(behavior, adder=adder, variable_client=client)


def make_evaluation_actor(policy_networks: Mapping[str, snt.Module],
                          variable_source: Optional[core.VariableSource] = None
                          ) -> actors.FeedForwardActor:
    """A greedy (noise-free) actor for all agents; writes nothing."""
    policy = maddpg_networks.MultiAgentPolicy(policy_networks, name='greedy_policy')
    return actors.FeedForwardActor(policy,
                                   variable_client=_client(policy, variable_source))


def make_learner(policy_networks: Mapping[str, snt.Module],
                 critic_networks: Mapping[str, snt.Module],
                 dataset: tf.data.Dataset,
                 config: config_lib.MADDPGConfig,
                 *,
                 device: Optional[str] = None,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None,
                 **kwargs) -> learning.MADDPGLearner:
    """A MADDPGLearner configured by `config`: target networks are copies of the
    online ones and the optimizers default to Adam at the config's learning
    rates, all made on the learner's device (where the update reads them).
    `kwargs` go to the learner (counter, logger, checkpoint, directory, ...)."""
    device = devices.select_device(device, role='MADDPG learner')
    policy_optimizer, critic_optimizer = ddpg_learning.default_optimizers(
        device, policy_optimizer, critic_optimizer, config.policy_learning_rate,
        config.critic_learning_rate)
    with tf.device(device):
        target_policies = {i: copy.deepcopy(p) for i, p in policy_networks.items()}
        target_critics = {i: copy.deepcopy(c) for i, c in critic_networks.items()}
    return learning.MADDPGLearner(
        policy_networks, critic_networks, target_policies, target_critics, dataset,
        config.discount, config.target_update_period, policy_optimizer,
        critic_optimizer, device=device, clipping=config.clipping,
        centralised_critics=config.centralised_critics,
        target_update_rate=config.target_update_rate,
        updates_per_call=config.updates_per_call, jit_compile=config.jit_compile,
        **kwargs)
