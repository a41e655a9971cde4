"""Builders of the parts DDPG, D4PG and TD3 share, for the single-process agents
and a distributed runtime: replay table, adder, dataset, actor and schedule."""

from typing import Callable, Optional

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import core, specs
from troupe.components import actors, adders, counting, loggers, replay
from troupe.components.variables import VariableClient
from troupe.agents.ddpg import config as config_lib
from troupe.agents.ddpg import learning
from troupe.agents.ddpg import networks as ddpg_networks


def make_replay_table(environment_spec: specs.EnvironmentSpec,
                      config: config_lib.DDPGConfig,
                      blocking_inserts: bool = False) -> reverb.Table:
    """The uniform replay table; see `replay.transition_table` for when it blocks."""
    return replay.transition_table(
        config.replay_table_name, config.max_replay_size,
        min_size=config.min_replay_size, samples_per_insert=config.samples_per_insert,
        signature=adders.NStepTransitionAdder.signature(environment_spec),
        blocking_inserts=blocking_inserts)


def make_adder(client: reverb.Client, config: config_lib.DDPGConfig,
               num_envs: Optional[int] = None) -> adders.Adder:
    """The n-step adder writing into the replay table.

    With `num_envs`, a `BatchedAdder` of that many n-step adders (one trajectory
    per copy of a `BatchedEnvironment`), all writing to the same table.
    """
    return adders.make_nstep_adder(client, config.n_step, config.discount,
                                   config.replay_table_name, num_envs)


def make_dataset(server_address: str,
                 config: config_lib.DDPGConfig) -> tf.data.Dataset:
    """Batches of transitions sampled from the table, prefetched."""
    return replay.make_reverb_dataset(
        server_address, batch_size=config.batch_size,
        prefetch_size=config.prefetch_size or None,
        table=config.replay_table_name)


def make_actor(policy_network: snt.Module,
               environment_spec: specs.EnvironmentSpec,
               sigma: float,
               observation_network: Optional[Callable] = None,
               adder: Optional[adders.Adder] = None,
               variable_source: Optional[core.VariableSource] = None,
               variable_update_period: int = 1,
               batched: bool = False) -> actors.FeedForwardActor:
    """A FeedForwardActor acting with the behaviour network (policy plus noise).

    With a `variable_source`, the networks are the actor's own copies and a
    VariableClient refreshes them from the source's 'policy' group (observation
    network variables, then the policy's). With `batched`, it acts on a
    `BatchedEnvironment` (one network call per batch step, noise drawn per
    copy) and `adder` must be batched (`make_adder(..., num_envs)`).
    """
    behavior = ddpg_networks.make_behavior_network(
        policy_network, environment_spec.actions, sigma, observation_network)
    client = None
    if variable_source is not None:
        observation_variables = list(getattr(observation_network, 'variables', ()))
        client = VariableClient(
            variable_source,
            {'policy': observation_variables + list(policy_network.variables)},
            update_period=variable_update_period)
    return actors.FeedForwardActor(behavior, adder=adder, variable_client=client,
                                   batched=batched)


def make_evaluation_actor(policy_network: snt.Module,
                          observation_network: Optional[Callable] = None,
                          variable_source: Optional[core.VariableSource] = None,
                          batched: bool = False) -> actors.FeedForwardActor:
    """A greedy (noise-free) actor, e.g. for evaluation; writes nothing
    (`batched`: on a `BatchedEnvironment`)."""
    layers = [] if observation_network is None else [observation_network]
    network = snt.Sequential(layers + [policy_network], name='greedy_policy')
    client = None
    if variable_source is not None:
        observation_variables = list(getattr(observation_network, 'variables', ()))
        client = VariableClient(
            variable_source,
            {'policy': observation_variables + list(policy_network.variables)})
    return actors.FeedForwardActor(network, variable_client=client, batched=batched)


def make_learner(policy_network: snt.Module, critic_network: snt.Module,
                 target_policy_network: snt.Module, target_critic_network: snt.Module,
                 dataset: tf.data.Dataset, config: config_lib.DDPGConfig,
                 observation_network: Optional[Callable] = None,
                 target_observation_network: Optional[Callable] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True, device: Optional[str] = None,
                 directory: str = '~/troupe',
                 learner_class: type = learning.DDPGLearner) -> learning.DDPGLearner:
    """A `learner_class` (DDPGLearner or a subclass) configured by `config`,
    with Adam optimizers at the config's learning rates."""
    return learner_class(
        policy_network, critic_network, target_policy_network, target_critic_network,
        dataset, config.discount, config.target_update_period,
        snt.optimizers.Adam(config.policy_learning_rate),
        snt.optimizers.Adam(config.critic_learning_rate),
        observation_network, counter, logger, checkpoint, device, config.clipping,
        target_observation_network=target_observation_network,
        target_update_rate=config.target_update_rate,
        updates_per_call=config.updates_per_call, jit_compile=config.jit_compile,
        directory=directory)


def observations_per_step(config: config_lib.DDPGConfig) -> float:
    """Environment steps per learner `step()`: batch · updates / samples_per_insert."""
    return config.batch_size * config.updates_per_call / config.samples_per_insert


def min_observations(config: config_lib.DDPGConfig) -> int:
    """No learning before max(batch_size, min_replay_size) observations (Acme)."""
    return max(config.batch_size, config.min_replay_size)
