"""DQN: the single-process agent (Acme's `dqn.DQN` contract).

It starts a Reverb server with a prioritized table, writes n-step transitions
with an `NStepTransitionAdder`, acts ε-greedily with a `FeedForwardActor`, and
trains a `DQNLearner` on batches from `make_reverb_dataset`, one learner step
every batch_size · updates_per_call / samples_per_insert observations after
max(batch_size, min_replay_size) observations.
"""

import copy
from typing import Optional

import dm_env
import reverb
import sonnet as snt
import tensorflow as tf

from troupe import specs, types
from troupe.agents import agent as agent_lib
from troupe.agents.dqn import builder
from troupe.agents.dqn import config as config_lib
from troupe.components import devices, loggers
from troupe.components import utils as tf2_utils


class DQN(agent_lib.ReplayAgent):
    """Deep Q-Networks with double-Q n-step targets and prioritized replay."""

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 network: snt.Module,
                 batch_size: int = 256,
                 prefetch_size: int = 4,
                 target_update_period: int = 100,
                 samples_per_insert: float = 32.0,
                 min_replay_size: int = 1000,
                 max_replay_size: int = 1_000_000,
                 importance_sampling_exponent: float = 0.2,
                 priority_exponent: float = 0.6,
                 n_step: int = 5,
                 epsilon: config_lib.Epsilon = 0.05,
                 learning_rate: float = 1e-3,
                 discount: float = 0.99,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None,
                 *,
                 huber_loss_parameter: float = 1.0,
                 max_gradient_norm: Optional[float] = None,
                 reward_clip: Optional[float] = None,
                 target_update_rate: Optional[float] = None,
                 updates_per_call: int = 1,
                 jit_compile: bool = True,
                 epsilon_update_period: int = 10,
                 num_envs: Optional[int] = None,
                 num_parallel_calls: int = 2):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be discrete.
          network: the Q-network, [B, ...] observations -> [B, num_actions]
            (see `dqn.make_mlp_network`, `dqn.make_atari_network`).
          batch_size: transitions per update.
          prefetch_size: batches the dataset prefetches.
          target_update_period: updates between target-network copies.
          samples_per_insert: how often each transition is replayed on average.
          min_replay_size: transitions stored before learning starts.
          max_replay_size: replay capacity (oldest evicted first).
          importance_sampling_exponent: β of the PER weights, in [0, 1].
          priority_exponent: α of the prioritized sampler, >= 0.
          n_step: steps of the n-step returns (>= 1).
          epsilon: ε in [0, 1], a `dqn.LinearEpsilon` schedule over actor steps,
            or a float32 tf.Variable that the caller anneals.
          learning_rate: Adam's learning rate.
          discount: the agent discount in [0, 1].
          logger: the learner's logger.
          checkpoint: whether the learner checkpoints.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
          huber_loss_parameter: the Huber delta.
          max_gradient_norm: global gradient-norm clip (None: no clipping).
          reward_clip: clip n-step rewards to [-c, c] (None: no clipping).
          target_update_rate: Polyak rate instead of periodic copies.
          updates_per_call: SGD updates per learner step (the schedule adapts).
          jit_compile: XLA-compile the update.
          epsilon_update_period: actor steps between writes of a scheduled ε.
          num_envs: None acts in one environment. An int N builds a batched
            actor for a `BatchedEnvironment` of N copies: one network call per
            batch step, ε-greedy per copy, one n-step trajectory per copy
            (`BatchedAdder`). The schedule (`min_replay_size`,
            `samples_per_insert`, ε's) counts env steps of all copies.
          num_parallel_calls: Reverb sampling streams feeding the learner
            (sampling, not the update, bounds the learner at batch 256 here).
        """
        config = config_lib.DQNConfig(
            batch_size=batch_size, prefetch_size=prefetch_size,
            target_update_period=target_update_period,
            target_update_rate=target_update_rate,
            samples_per_insert=samples_per_insert, min_replay_size=min_replay_size,
            max_replay_size=max_replay_size,
            importance_sampling_exponent=importance_sampling_exponent,
            priority_exponent=priority_exponent, n_step=n_step, epsilon=epsilon,
            learning_rate=learning_rate, discount=discount,
            huber_loss_parameter=huber_loss_parameter,
            max_gradient_norm=max_gradient_norm, reward_clip=reward_clip,
            updates_per_call=updates_per_call, jit_compile=jit_compile,
            num_parallel_calls=num_parallel_calls)
        config.validate()
        builder.check_discrete_actions(environment_spec)
        self._annealer = builder.EpsilonAnnealer(epsilon, epsilon_update_period)
        self._epsilon = self._annealer.variable
        if num_envs is not None:
            config_lib.check_positive_int('num_envs', num_envs)
        self.config = config
        self._num_envs = num_envs

        self._server = reverb.Server(
            [builder.make_replay_table(environment_spec, config)], port=None)
        address = f'localhost:{self._server.port}'
        self._address = address
        adder = builder.make_adder(reverb.Client(address), config, num_envs)
        dataset = builder.make_dataset(address, config)

        learner_device = devices.select_device(device, role='DQNLearner')
        share_network = tf.DeviceSpec.from_string(learner_device).device_type == 'CPU'
        # Copies are made before the learner builds the network's variables.
        target_network = copy.deepcopy(network)
        actor_network = network if share_network else copy.deepcopy(network)
        learner = builder.make_learner(
            network, target_network, dataset, config,
            replay_client=reverb.TFClient(address), logger=logger,
            checkpoint=checkpoint, device=learner_device,
            directory=checkpoint_subpath)

        if share_network:
            # The actor uses the learner's variables: no copies on the acting path.
            actor = builder.make_actor(network, environment_spec, self._epsilon, adder,
                                       batched=num_envs is not None)
        else:
            with tf.device('/CPU:0'):
                tf2_utils.create_variables(actor_network,
                                           [environment_spec.observations])
            actor = builder.make_actor(actor_network, environment_spec, self._epsilon,
                                       adder, variable_source=learner,
                                       batched=num_envs is not None)
            actor.update(wait=True)
        super().__init__(actor, learner,
                         min_observations=builder.min_observations(config),
                         observations_per_step=builder.observations_per_step(config))

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        super().observe(action, next_timestep)
        self._annealer.observe(self.num_observations)

    @property
    def epsilon(self) -> float:
        """The exploration rate the actor uses now."""
        return float(self._epsilon.numpy())
