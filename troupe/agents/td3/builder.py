"""Builders of TD3's parts for a distributed runtime: the replay table, adder,
dataset and actors are DDPG's (`troupe.agents.ddpg.builder`); the learner is a
`TD3Learner` configured by a `TD3Config`."""

from typing import Callable, Optional

import sonnet as snt
import tensorflow as tf

from troupe.agents.ddpg.builder import (
    make_actor, make_adder, make_dataset, make_evaluation_actor, make_replay_table,
    min_observations, observations_per_step)
from troupe.agents.td3 import config as config_lib
from troupe.agents.td3 import learning
from troupe.components import counting, loggers


def make_learner(policy_network: snt.Module, critic_network: snt.Module,
                 twin_critic_network: snt.Module, target_policy_network: snt.Module,
                 target_critic_network: snt.Module,
                 target_twin_critic_network: snt.Module,
                 dataset: tf.data.Dataset, action_spec, config: config_lib.TD3Config,
                 observation_network: Optional[Callable] = None,
                 target_observation_network: Optional[Callable] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True, device: Optional[str] = None,
                 directory: str = '~/troupe') -> learning.TD3Learner:
    """The TD3Learner configured by `config` (Adam at its learning rates)."""
    return learning.TD3Learner(
        policy_network, critic_network, twin_critic_network, target_policy_network,
        target_critic_network, target_twin_critic_network, dataset, action_spec,
        config.discount, config.policy_update_period,
        snt.optimizers.Adam(config.policy_learning_rate),
        snt.optimizers.Adam(config.critic_learning_rate),
        observation_network, counter, logger, checkpoint, device, config.clipping,
        target_sigma=config.target_sigma, noise_clip=config.noise_clip,
        target_update_rate=config.target_update_rate,
        target_update_period=config.target_update_period, seed=config.seed,
        target_observation_network=target_observation_network,
        updates_per_call=config.updates_per_call, jit_compile=config.jit_compile,
        directory=directory)

__all__ = ['make_actor', 'make_adder', 'make_dataset', 'make_evaluation_actor',
           'make_learner', 'make_replay_table', 'min_observations',
           'observations_per_step']
