"""Builders of SAC's parts, shared by the single-process agent and a distributed
runtime: the replay table, adder, dataset, actors and learner."""

from typing import Optional, Sequence

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import core, specs
from troupe.components import actors, adders, counting, devices, loggers, replay
from troupe.components.variables import VariableClient
from troupe.agents.sac import config as config_lib
from troupe.agents.sac import learning
from troupe.agents.sac import networks as sac_networks


def make_replay_table(environment_spec: specs.EnvironmentSpec,
                      config: config_lib.SACConfig,
                      blocking_inserts: bool = False) -> reverb.Table:
    """The uniform replay table; see `replay.transition_table` for when it blocks."""
    return replay.transition_table(
        config.replay_table_name, config.max_replay_size,
        min_size=config.min_replay_size, samples_per_insert=config.samples_per_insert,
        signature=adders.NStepTransitionAdder.signature(environment_spec),
        blocking_inserts=blocking_inserts)


def make_adder(client: reverb.Client, config: config_lib.SACConfig,
               num_envs: Optional[int] = None) -> adders.Adder:
    """The n-step adder writing into the replay table.

    With `num_envs`, a `BatchedAdder` of that many n-step adders (one trajectory
    per copy of a `BatchedEnvironment`), all writing to the same table.
    """
    return adders.make_nstep_adder(client, config.n_step, config.discount,
                                   config.replay_table_name, num_envs)


def make_dataset(server_address: str,
                 config: config_lib.SACConfig) -> tf.data.Dataset:
    """Batches of transitions sampled uniformly from the table, prefetched."""
    return replay.make_reverb_dataset(
        server_address, batch_size=config.batch_size,
        prefetch_size=config.prefetch_size or None,
        table=config.replay_table_name)


def make_actor(policy_network: snt.Module, environment_spec: specs.EnvironmentSpec,
               adder: Optional[adders.Adder] = None,
               variable_source: Optional[core.VariableSource] = None,
               variable_update_period: int = 1,
               greedy: bool = False,
               batched: bool = False) -> actors.FeedForwardActor:
    """A FeedForwardActor sampling from `policy_network` (its mode if `greedy`).

    With a `variable_source`, `policy_network` is the actor's own copy and a
    VariableClient refreshes it from the source's 'policy' group. With
    `batched`, it acts on a `BatchedEnvironment`: one policy call per batch
    step, an action sampled independently for every copy, and `adder` (if any)
    must be batched (`make_adder(..., num_envs)`).
    """
    client = None
    if variable_source is not None:
        client = VariableClient(variable_source,
                                {'policy': policy_network.variables},
                                update_period=variable_update_period)
    policy = sac_networks.ActionPolicy(policy_network, environment_spec.actions,
                                       greedy=greedy)
    return actors.FeedForwardActor(policy, adder=adder, variable_client=client,
                                   batched=batched)


def make_learner(policy_network: snt.Module,
                 critic_networks: Sequence[snt.Module],
                 target_critic_networks: Optional[Sequence[snt.Module]],
                 dataset: tf.data.Dataset,
                 environment_spec: specs.EnvironmentSpec,
                 config: config_lib.SACConfig,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 directory: str = '~/troupe') -> learning.SACLearner:
    """The SACLearner configured by `config`."""
    policy_lr, critic_lr, temperature_lr = config.learning_rates()
    device = devices.select_device(device, role='SACLearner')
    with tf.device(device):  # The optimizers' step counters live with the learner.
        optimizers = [snt.optimizers.Adam(lr)
                      for lr in (policy_lr, critic_lr, temperature_lr)]
    return learning.SACLearner(
        policy_network=policy_network, critic_networks=critic_networks,
        target_critic_networks=target_critic_networks, dataset=dataset,
        discount=config.discount, tau=config.tau,
        policy_optimizer=optimizers[0], critic_optimizer=optimizers[1],
        temperature_optimizer=optimizers[2],
        learning_rate=config.learning_rate, target_entropy=config.target_entropy,
        init_temperature=config.init_temperature,
        entropy_coefficient=config.entropy_coefficient, counter=counter,
        logger=logger, checkpoint=checkpoint, device=device,
        action_spec=environment_spec.actions,
        updates_per_call=config.updates_per_call, jit_compile=config.jit_compile,
        seed=config.seed, directory=directory)


def observations_per_step(config: config_lib.SACConfig) -> float:
    """Environment steps per learner `step()`: batch · updates / samples_per_insert."""
    return config.batch_size * config.updates_per_call / config.samples_per_insert


def min_observations(config: config_lib.SACConfig) -> int:
    """No learning before max(batch_size, min_replay_size) observations."""
    return max(config.batch_size, config.min_replay_size)
