"""Builders of DQN's parts, shared by the single-process agent and a distributed
runtime: the replay table, adder, dataset, policy, actor and learner."""

from typing import Optional

import reverb
import sonnet as snt
import tensorflow as tf
from dm_env import specs as dm_specs

from troupe import core, specs
from troupe.components import actors, adders, counting, loggers, networks, replay
from troupe.components.variables import VariableClient
from troupe.agents.dqn import config as config_lib
from troupe.agents.dqn import learning


def check_discrete_actions(environment_spec: specs.EnvironmentSpec,
                           agent: str = 'DQN') -> int:
    """Returns the number of actions; raises unless the action spec is discrete."""
    action_spec = environment_spec.actions
    if not isinstance(action_spec, dm_specs.DiscreteArray):
        raise ValueError(f'{agent} needs a discrete action spec (dm_env.specs.'
                         f'DiscreteArray), got {action_spec!r}.')
    return int(action_spec.num_values)


def make_replay_table(environment_spec: specs.EnvironmentSpec,
                      config: config_lib.DQNConfig,
                      blocking_inserts: bool = False) -> reverb.Table:
    """The prioritized replay table; see `replay.transition_table` for when it blocks."""
    return replay.transition_table(
        config.replay_table_name, config.max_replay_size,
        min_size=config.min_replay_size, samples_per_insert=config.samples_per_insert,
        signature=adders.NStepTransitionAdder.signature(environment_spec),
        blocking_inserts=blocking_inserts,
        priority_exponent=config.priority_exponent)


def make_adder(client: reverb.Client, config: config_lib.DQNConfig,
               num_envs: Optional[int] = None) -> adders.Adder:
    """The n-step adder writing into the replay table at priority 1.

    With `num_envs`, a `BatchedAdder` of that many n-step adders (one trajectory
    per copy of a `BatchedEnvironment`), all writing to the same table.
    """
    return adders.make_nstep_adder(client, config.n_step, config.discount,
                                   config.replay_table_name, num_envs)


def make_dataset(server_address: str,
                 config: config_lib.DQNConfig) -> tf.data.Dataset:
    """Batches of transitions sampled from the table by `num_parallel_calls`
    streams, prefetched."""
    return replay.make_reverb_dataset(
        server_address, batch_size=config.batch_size,
        prefetch_size=config.prefetch_size or None,
        table=config.replay_table_name,
        num_parallel_calls=config.num_parallel_calls)


class EpsilonGreedyPolicy(snt.Module):
    """Samples ε-greedy actions of `network`'s Q-values, in the action spec's dtype.

    ε is read from a variable at every call, so an annealing schedule can change
    it without retracing the actor's policy.
    """

    def __init__(self, network: snt.Module, epsilon: tf.Variable,
                 action_spec: dm_specs.DiscreteArray, name: str = 'epsilon_greedy'):
        super().__init__(name=name)
        self._network = network
        self._epsilon = epsilon
        self._dtype = tf.as_dtype(action_spec.dtype)

    def __call__(self, observation: tf.Tensor) -> tf.Tensor:
        q_values = self._network(observation)
        action = networks.epsilon_greedy(q_values, self._epsilon).sample()
        return tf.cast(action, self._dtype)


class GreedyPolicy(snt.Module):
    """The greedy action argmax_a Q(s, a), in the action spec's dtype (evaluation)."""

    def __init__(self, network: snt.Module, action_spec: dm_specs.DiscreteArray,
                 name: str = 'greedy'):
        super().__init__(name=name)
        self._network = network
        self._dtype = tf.as_dtype(action_spec.dtype)

    def __call__(self, observation: tf.Tensor) -> tf.Tensor:
        return tf.cast(tf.argmax(self._network(observation), axis=-1), self._dtype)


def make_evaluation_actor(network: snt.Module, environment_spec: specs.EnvironmentSpec,
                          batched: bool = False,
                          variable_source: Optional[core.VariableSource] = None
                          ) -> actors.FeedForwardActor:
    """An actor that acts greedily with `network` and records nothing
    (`batched`: on a `BatchedEnvironment`). With a `variable_source`, `network`
    is the actor's own copy, refreshed from the source's 'network' group."""
    client = None
    if variable_source is not None:
        client = VariableClient(variable_source, {'network': network.trainable_variables})
    return actors.FeedForwardActor(GreedyPolicy(network, environment_spec.actions),
                                   variable_client=client, batched=batched)


def initial_epsilon(epsilon: config_lib.Epsilon) -> float:
    if isinstance(epsilon, config_lib.LinearEpsilon):
        return epsilon(0)
    return float(epsilon)


class EpsilonAnnealer:
    """Keeps an actor's ε variable on its schedule as env steps accumulate.

    `epsilon` may be a constant, a `LinearEpsilon` (over env steps) or a
    tf.Variable the caller anneals; `variable` is what the actor reads. With a
    schedule, `observe(num_steps)` writes schedule(num_steps) into it at most
    once every `update_period` env steps (a batch can step several at once).
    """

    def __init__(self, epsilon: config_lib.Epsilon, update_period: int = 10):
        config_lib.check_positive_int('epsilon_update_period', update_period)
        self._schedule = (epsilon if isinstance(epsilon, config_lib.LinearEpsilon)
                          else None)
        self._update_period = int(update_period)
        self._updated_at = 0  # num_steps at the last write.
        if isinstance(epsilon, tf.Variable):
            self.variable = epsilon  # Annealed by the caller, as in Acme.
        else:
            self.variable = tf.Variable(initial_epsilon(epsilon), dtype=tf.float32,
                                        trainable=False, name='epsilon')

    def observe(self, num_steps: int) -> None:
        """Called with the env steps taken so far."""
        if (self._schedule is not None
                and num_steps - self._updated_at >= self._update_period):
            self._updated_at = num_steps
            self.variable.assign(self._schedule(num_steps))


def make_actor(network: snt.Module, environment_spec: specs.EnvironmentSpec,
               epsilon: tf.Variable, adder: Optional[adders.Adder] = None,
               variable_source: Optional[core.VariableSource] = None,
               variable_update_period: int = 1,
               batched: bool = False) -> actors.FeedForwardActor:
    """A FeedForwardActor acting ε-greedily with `network`.

    With a `variable_source`, `network` is the actor's own copy and a
    VariableClient refreshes it from the source's 'network' group. With
    `batched`, it acts on a `BatchedEnvironment` (one network call per batch,
    ε-greedy draws per copy) and `adder` must be batched (`make_adder(...,
    num_envs)`).
    """
    client = None
    if variable_source is not None:
        client = VariableClient(variable_source,
                                {'network': network.trainable_variables},
                                update_period=variable_update_period)
    policy = EpsilonGreedyPolicy(network, epsilon, environment_spec.actions)
    return actors.FeedForwardActor(policy, adder=adder, variable_client=client,
                                   batched=batched)


def make_learner(network: snt.Module, target_network: snt.Module,
                 dataset: tf.data.Dataset, config: config_lib.DQNConfig,
                 replay_client=None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 directory: str = '~/troupe') -> learning.DQNLearner:
    """The DQNLearner configured by `config`."""
    return learning.DQNLearner(
        network=network, target_network=target_network,
        discount=config.discount,
        importance_sampling_exponent=config.importance_sampling_exponent,
        learning_rate=config.learning_rate,
        target_update_period=config.target_update_period,
        dataset=dataset, huber_loss_parameter=config.huber_loss_parameter,
        replay_client=replay_client, counter=counter, logger=logger,
        checkpoint=checkpoint, max_gradient_norm=config.max_gradient_norm,
        device=device, target_update_rate=config.target_update_rate,
        reward_clip=config.reward_clip, updates_per_call=config.updates_per_call,
        jit_compile=config.jit_compile, table=config.replay_table_name,
        directory=directory)


def observations_per_step(config: config_lib.DQNConfig) -> float:
    """Environment steps per learner `step()`: batch · updates / samples_per_insert."""
    return config.batch_size * config.updates_per_call / config.samples_per_insert


def min_observations(config: config_lib.DQNConfig) -> int:
    """No learning before max(batch_size, min_replay_size) observations (Acme)."""
    return max(config.batch_size, config.min_replay_size)
