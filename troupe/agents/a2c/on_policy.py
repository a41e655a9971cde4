"""The on-policy sequence pipeline shared by REINFORCE, A2C and IMPALA.

Actors write sequences of T + 1 steps every T steps through a `SequenceAdder`
(zero-padded at episode ends) into a FIFO queue table; the learner reads
batches of them from one in-order stream, so each sequence is consumed exactly
once. `OnPolicyAgent` runs actor and learner in one process: after the actor's
steps it asks the server how many sequences were inserted and steps the learner
once per complete batch, so the learner never waits on an empty queue. Closing
the agent stops the server, which releases any prefetching iterator.

`prepare_sequences` turns a batch into time-major tensors and the rewards and
discounts the return estimators need, with the non-transitions masked.
"""

from typing import NamedTuple, Optional

import dm_env
import reverb
import tensorflow as tf
import tree

from troupe import core, specs, types
from troupe.agents import agent as agent_lib
from troupe.agents.a2c import config as config_lib
from troupe.components import adders, replay


def make_queue_table(environment_spec: specs.EnvironmentSpec,
                     config: config_lib.OnPolicyConfig,
                     extras_spec: types.NestedSpec) -> reverb.Table:
    """A FIFO queue of (T + 1)-step sequences: each item is sampled once."""
    signature = adders.SequenceAdder.signature(
        environment_spec, extras_spec, sequence_length=config.sequence_length + 1)
    return replay.queue_table(config.replay_table_name, config.max_queue_size,
                              signature=signature)


def make_adder(client: reverb.Client,
               config: config_lib.OnPolicyConfig) -> adders.SequenceAdder:
    """T + 1 steps every T steps, zero-padded at the end of an episode."""
    return adders.SequenceAdder(
        client, sequence_length=config.sequence_length + 1,
        period=config.sequence_length,
        end_of_episode_behavior=adders.EndBehavior.ZERO_PAD,
        priority_fns={config.replay_table_name: None})


def make_dataset(server_address: str, config: config_lib.OnPolicyConfig,
                 rate_limiter_timeout_ms: int = -1) -> tf.data.Dataset:
    """Batches of sequences from the queue, in insertion order.

    One sampling stream: with parallel streams each would batch on its own and a
    batch could wait for items already held by the other.
    """
    return replay.make_reverb_dataset(
        server_address, batch_size=config.batch_size,
        table=config.replay_table_name, num_parallel_calls=1,
        rate_limiter_timeout_ms=rate_limiter_timeout_ms)


class Sequences(NamedTuple):
    """A batch of sequences prepared for an actor-critic loss.

    observation and extras are [T + 1, B, ...]; the rest are [T, B]: the
    T learning steps. On steps that are not real transitions (the final
    observation after an episode's LAST step and the zero padding, mask 0) the
    reward is V(s_t) and the discount 0, so every return estimator yields
    exactly V(s_t) there: it bootstraps an episode cut by a time limit from
    its final observation and carries nothing across the episode's end.
    """
    observation: types.NestedTensor
    extras: types.NestedTensor
    action: tf.Tensor
    reward: tf.Tensor
    discount: tf.Tensor
    mask: tf.Tensor


def time_major(data: adders.Step) -> adders.Step:
    """[B, T, ...] -> [T, B, ...] for every leaf."""
    def swap(x):
        x = tf.convert_to_tensor(x)
        perm = [1, 0] + list(range(2, x.shape.rank))
        return tf.transpose(x, perm)
    return tree.map_structure(swap, data)


def prepare_sequences(data: adders.Step, values: tf.Tensor, discount: float,
                      max_abs_reward: Optional[float] = None) -> Sequences:
    """Learning inputs from a time-major batch of stored sequences.

    Args:
      data: a batch of `adders.Step`s made time-major by `time_major`,
        [T + 1, B, ...], whose extras hold 'mask'.
      values: V(s_t) for all T + 1 steps, time-major [T + 1, B]; no gradient
        flows through the result.
      discount: the agent discount γ; step discounts become γ · d_t.
      max_abs_reward: if set, rewards are clipped to [-c, c].
    """
    values = tf.stop_gradient(values)
    dtype = values.dtype
    mask = tf.cast(data.extras['mask'][:-1], dtype)
    reward = tf.cast(data.reward[:-1], dtype)
    if max_abs_reward is not None:
        reward = tf.clip_by_value(reward, -max_abs_reward, max_abs_reward)
    step_discount = discount * tf.cast(data.discount[:-1], dtype)
    real = mask > 0
    return Sequences(
        observation=data.observation, extras=data.extras,
        action=data.action[:-1],
        reward=tf.where(real, reward, values[:-1]),
        discount=tf.where(real, step_discount, tf.zeros_like(step_discount)),
        mask=mask)


class OnPolicyAgent(agent_lib.ReplayAgent):
    """Acts, and steps the learner once per complete batch in the queue.

    Every `check_period` observations and at the end of each episode, it reads
    how many sequences the server has received and runs one learner step per
    `batch_size` of them not yet consumed. Those sequences are all on the
    server (or already in the learner's prefetch buffer), so a step never waits
    on an empty queue.
    """

    def __init__(self, actor: core.Actor, learner: core.Learner,
                 server: reverb.Server, table: str, batch_size: int,
                 check_period: int):
        config_lib.check_positive_int('batch_size', batch_size)
        config_lib.check_positive_int('check_period', check_period)
        super().__init__(actor, learner)
        self._server = server
        self._address = f'localhost:{server.port}'
        self._client = reverb.Client(self._address)
        self._table = table
        self._batch_size = int(batch_size)
        self._check_period = int(check_period)
        self._since_check = 0
        self._episode_ended = False
        self._consumed = 0
        self._closed = False

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        super().observe(action, next_timestep)
        self._since_check += 1
        if next_timestep.last():
            self._episode_ended = True

    def num_inserted(self) -> int:
        """Sequences the queue has received so far."""
        info = self._client.server_info()[self._table]
        return int(info.rate_limiter_info.insert_stats.completed)

    def update(self, wait: bool = False):
        del wait  # The actor always waits for fresh variables (see below).
        if not (self._episode_ended or self._since_check >= self._check_period):
            return
        self._since_check = 0
        self._episode_ended = False
        steps = (self.num_inserted() - self._consumed) // self._batch_size
        for _ in range(steps):
            self._learner.step()
            self._consumed += self._batch_size
        if steps > 0:
            # On-policy: act with the new parameters from the next step on.
            self._actor.update(wait=True)

    @property
    def num_consumed(self) -> int:
        """Sequences the learner has consumed."""
        return self._consumed
