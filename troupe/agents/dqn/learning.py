"""DQNLearner: double Q-learning with n-step returns from a prioritized replay table.

Each update samples a batch of n-step transitions, computes double-Q targets with
a target network, weights the Huber loss of the TD errors by importance-sampling
weights, clips the gradient norm, applies the optimizer, writes |TD error| back
as the items' new priorities and refreshes the target network (a copy every
`target_update_period` updates, or Polyak averaging at `target_update_rate`).

The arithmetic of an update is `_sgd_step_fn`; the rest (the device, pulling
`updates_per_call` batches per `step()` and running their XLA-compiled updates
in one graph call, counting, logging, `get_variables`) is
`components.learning.LearnerBase`. New priorities are written inside the update
graph by a `reverb.TFClient`, those of a call's batches in one request after
its updates (the next call's batches are already prefetched by then, so an
earlier write would not change what they sample).

With an intrinsic reward (`intrinsic`, a `components.intrinsic`
`IntrinsicRewardTrainer`) the network is an `ExtrinsicIntrinsicQ`: each update
first computes intrinsic rewards for the sampled batch and trains the
intrinsic model on it, then learns both streams, each with its own double-Q
target and discount, bootstrapping at the same next action a* = argmax of the
online Q_E + Q_I (the action the greedy acting policy takes), so the two
streams value the one policy that acts:

    y_E = r_E + g · discount · Q_E^target(s', a*)       (episodic, as without it)
    y_I = r_I + γ_I^n · Q_I^target(s', a*)              (no episode ends, as RND)

The loss is the sum of the streams' importance-weighted Huber losses (the
gradient norm is clipped per stream), priorities are |δ_E| + |δ_I|, and the
intrinsic model, its optimizer and its statistics are part of `state`.
"""

from typing import Iterator, Optional, Union

import reverb
import sonnet as snt
import tensorflow as tf
import tree

from troupe.components import counting, intrinsic as intrinsic_lib, learning, loggers
from troupe.components import losses
from troupe.components import utils as tf2_utils
from troupe.components.adders import DEFAULT_PRIORITY_TABLE
from troupe.agents import checks
from troupe.agents.dqn import networks as dqn_networks


def _unbatched(spec):
    return tree.map_structure(lambda s: tf.TensorSpec(s.shape[1:], s.dtype), spec)


class DQNLearner(learning.LearnerBase):
    """The DQN learner (see the module docstring); serves variables as 'network'."""

    def __init__(self,
                 network: snt.Module,
                 target_network: snt.Module,
                 discount: float,
                 importance_sampling_exponent: float,
                 learning_rate: float,
                 target_update_period: int,
                 dataset: Union[tf.data.Dataset, Iterator],
                 huber_loss_parameter: float = 1.,
                 replay_client: Optional[Union[reverb.Client, reverb.TFClient]] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 max_gradient_norm: Optional[float] = None,
                 device: Optional[str] = None,
                 *,
                 optimizer: Optional[snt.Optimizer] = None,
                 target_update_rate: Optional[float] = None,
                 reward_clip: Optional[float] = None,
                 updates_per_call: int = 1,
                 jit_compile: bool = True,
                 table: str = DEFAULT_PRIORITY_TABLE,
                 directory: str = '~/troupe',
                 checkpoint_subdirectory: str = 'dqn_learner',
                 intrinsic: Optional[intrinsic_lib.IntrinsicRewardTrainer] = None,
                 intrinsic_discount: float = 0.99,
                 n_step: int = 1):
        """Creates the learner.

        Args:
          network: the online Q-network, [B, ...] observations -> [B, A] values.
          target_network: a network of the same structure (e.g. a deep copy).
          discount: the agent discount g in [0, 1]; the bootstrap term is
            g · transition.discount · Q_target(s', a*), where the adder's
            discount already holds g^(n-1) times the environment discounts.
          importance_sampling_exponent: β in [0, 1] of the PER weights.
          learning_rate: Adam's learning rate (> 0), unless `optimizer` is given.
          target_update_period: updates between target copies (>= 1).
          dataset: a dataset (or iterator) of batched `reverb.ReplaySample`s of
            `types.Transition`s, e.g. from `replay.make_reverb_dataset`.
          huber_loss_parameter: the Huber delta (> 0).
          replay_client: where new priorities go (a `reverb.TFClient`, or a
            `reverb.Client` whose server is then written to by a TFClient,
            inside the update graph, as Acme does); None leaves priorities
            untouched.
          counter: counts 'steps' (updates) and 'walltime'.
          logger: receives 'loss' and the counts every step (default: terminal,
            once a second, as in Acme).
          checkpoint: whether to checkpoint network, target, optimizer, counter.
          max_gradient_norm: clips the global gradient norm; None: no clipping.
          device: where variables live and updates run (see `devices`).
          optimizer: an `snt.Optimizer` to use instead of Adam(learning_rate).
          target_update_rate: if set, Polyak rate τ in (0, 1] applied every
            update instead of the periodic copy.
          reward_clip: if set, n-step rewards are clipped to [-c, c].
          updates_per_call: SGD updates per `step()` (>= 1).
          jit_compile: XLA-compile the update arithmetic.
          table: the replay table whose priorities are updated.
          directory: checkpoint root.
          checkpoint_subdirectory: names this learner's checkpoints.
          intrinsic: an intrinsic reward's trainer; then `network` (and
            `target_network`) must be `ExtrinsicIntrinsicQ`s (module docstring).
          intrinsic_discount: γ_I in [0, 1], per env step, of the intrinsic stream.
          n_step: the transitions' n; the intrinsic bootstrap discount is
            γ_I^n (the bonus is that of the state reached, s').
        """
        checks.check_unit_interval('discount', discount)
        checks.check_unit_interval('importance_sampling_exponent',
                                   importance_sampling_exponent)
        checks.check_positive('learning_rate', learning_rate)
        checks.check_positive('huber_loss_parameter', huber_loss_parameter)
        checks.check_positive_int('target_update_period', target_update_period)
        if max_gradient_norm is not None:
            checks.check_positive('max_gradient_norm', max_gradient_norm)
        if reward_clip is not None:
            checks.check_positive('reward_clip', reward_clip)
        if target_update_rate is not None:
            checks.check_rate('target_update_rate', target_update_rate)
        if intrinsic is not None:
            checks.check_unit_interval('intrinsic_discount', intrinsic_discount)
            checks.check_positive_int('n_step', n_step)
            dqn_networks.check_intrinsic_network(network, 'DQNLearner network')
            dqn_networks.check_intrinsic_network(target_network,
                                                 'DQNLearner target_network')
        super().__init__(dataset, label='DQNLearner', device=device,
                         updates_per_call=updates_per_call, jit_compile=jit_compile,
                         counter=counter, logger=logger, checkpoint=checkpoint,
                         directory=directory,
                         checkpoint_subdirectory=checkpoint_subdirectory)
        self._network = network
        self._target_network = target_network
        self._discount = float(discount)
        self._beta = float(importance_sampling_exponent)
        self._huber_delta = float(huber_loss_parameter)
        self._target_update_period = int(target_update_period)
        self._target_update_rate = target_update_rate
        self._max_gradient_norm = max_gradient_norm
        self._reward_clip = reward_clip
        self._table = table
        if isinstance(replay_client, reverb.Client):
            replay_client = reverb.TFClient(replay_client.server_address)
        self._replay_client = replay_client
        self._intrinsic = intrinsic
        self._intrinsic_bootstrap = float(intrinsic_discount) ** int(n_step)

        observation_spec = _unbatched(self.element_spec.data.observation)
        with tf.device(self.device):
            self._optimizer = optimizer or snt.optimizers.Adam(learning_rate)
            tf2_utils.create_variables(network, [observation_spec])
            tf2_utils.create_variables(target_network, [observation_spec])
            if intrinsic is not None:
                intrinsic.create_variables()
        learning.assign_target(network.variables, target_network.variables)
        state = {'network': network, 'target_network': target_network,
                 'optimizer': self._optimizer}
        if intrinsic is not None:
            state.update(intrinsic.state)
        self._finish({'network': network.trainable_variables}, state)

    def _sgd_step_fn(self, sample):
        """One update on a batch; returns the loss and the new priorities."""
        if self._intrinsic is not None:
            return self._intrinsic_sgd_step(sample)
        transitions, probabilities = sample.data, sample.info.probability
        network, variables = self._network, self._network.trainable_variables
        with tf.GradientTape() as tape:
            q_tm1 = network(transitions.observation)
            q_t_selector = network(transitions.next_observation)
            q_t_value = self._target_network(transitions.next_observation)
            dtype = q_tm1.dtype
            r_t = self._extrinsic_rewards(transitions, dtype)
            d_t = tf.cast(transitions.discount, dtype) * self._discount
            td = losses.double_q_learning(q_tm1, transitions.action, r_t, d_t,
                                          q_t_value, q_t_selector)
            weights = losses.importance_sampling_weights(
                tf.cast(probabilities, dtype), self._beta)
            loss = tf.reduce_mean(
                weights * losses.huber(td.td_error, self._huber_delta))
        gradients = tape.gradient(loss, variables)
        self._apply(gradients, variables)
        return {'loss': loss, 'priorities': losses.td_priorities(td.td_error)}

    def _intrinsic_sgd_step(self, sample):
        """One update of both streams and of the intrinsic model (module docstring)."""
        transitions, probabilities = sample.data, sample.info.probability
        intrinsic_rewards, fetches = self._intrinsic(transitions)
        network, target = self._network, self._target_network
        streams = [network.extrinsic.trainable_variables,
                   network.intrinsic.trainable_variables]
        with tf.GradientTape() as tape:
            q_e_tm1 = network.extrinsic(transitions.observation)
            q_i_tm1 = network.intrinsic(transitions.observation)
            q_t_selector = network(transitions.next_observation)
            dtype = q_e_tm1.dtype
            weights = losses.importance_sampling_weights(
                tf.cast(probabilities, dtype), self._beta)
            td_e = losses.double_q_learning(
                q_e_tm1, transitions.action, self._extrinsic_rewards(transitions, dtype),
                tf.cast(transitions.discount, dtype) * self._discount,
                target.extrinsic(transitions.next_observation), q_t_selector)
            r_i = tf.cast(intrinsic_rewards, dtype)
            td_i = losses.double_q_learning(
                q_i_tm1, transitions.action, r_i,
                tf.fill(tf.shape(r_i), tf.cast(self._intrinsic_bootstrap, dtype)),
                target.intrinsic(transitions.next_observation), q_t_selector)
            extrinsic_loss = tf.reduce_mean(
                weights * losses.huber(td_e.td_error, self._huber_delta))
            intrinsic_loss = tf.reduce_mean(
                weights * losses.huber(td_i.td_error, self._huber_delta))
            loss = extrinsic_loss + intrinsic_loss
        gradients = tape.gradient(loss, streams)
        if self._max_gradient_norm is not None:
            gradients = [tf.clip_by_global_norm(g, self._max_gradient_norm)[0]
                         for g in gradients]
        self._apply(gradients[0] + gradients[1], streams[0] + streams[1], clip=False)
        fetches.update(loss=loss, extrinsic_q_loss=extrinsic_loss,
                       intrinsic_q_loss=intrinsic_loss,
                       priorities=losses.td_priorities(
                           tf.abs(td_e.td_error) + tf.abs(td_i.td_error)))
        return fetches

    def _extrinsic_rewards(self, transitions, dtype):
        """The transitions' rewards in `dtype`, clipped if `reward_clip` is set."""
        r_t = tf.cast(transitions.reward, dtype)
        if self._reward_clip is not None:
            r_t = tf.clip_by_value(r_t, -self._reward_clip, self._reward_clip)
        return r_t

    def _apply(self, gradients, variables, clip: bool = True):
        """Clips the gradient norm (if set and `clip`), applies the optimizer
        and updates the target network."""
        network = self._network
        if clip and self._max_gradient_norm is not None:
            gradients, _ = tf.clip_by_global_norm(gradients, self._max_gradient_norm)
        self._optimizer.apply(gradients, variables)
        if self._target_update_rate is not None:
            learning.assign_target(network.variables, self._target_network.variables,
                                   self._target_update_rate)
        else:  # num_steps counts the updates before this one.
            learning.periodic_target_update(self._num_steps, self._target_update_period,
                                            network.variables,
                                            self._target_network.variables)

    def _after_updates(self, samples, fetches):
        """Writes the new priorities of all the call's batches in one request."""
        priorities = [f.pop('priorities') for f in fetches]
        if self._replay_client is not None:
            self._replay_client.update_priorities(
                self._table, tf.concat([s.info.key for s in samples], axis=0),
                tf.concat(priorities, axis=0))
