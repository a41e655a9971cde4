"""SAC: the single-process agent.

It starts a Reverb server with a uniform table, writes n-step transitions with an
`NStepTransitionAdder`, acts by sampling the tanh-Gaussian policy with a
`FeedForwardActor`, and trains a `SACLearner` on batches from
`make_reverb_dataset`: one learner step every batch_size · updates_per_call /
samples_per_insert observations (one update per environment step by default)
after max(batch_size, min_replay_size) observations. `make_evaluation_actor()` gives
an actor that follows the deterministic (squashed-mean) policy.

With `num_envs` N the agent acts on a `BatchedEnvironment` of N copies: one
policy call per batch step samples an action for every copy, a `BatchedAdder`
keeps one n-step trajectory per copy, and the schedule counts env steps of all
copies.
"""

import copy
from typing import Optional, Sequence

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import specs
from troupe.agents import agent as agent_lib
from troupe.agents.sac import builder
from troupe.agents.sac import config as config_lib
from troupe.agents.sac import networks as sac_networks
from troupe.components import actors, devices, loggers
from troupe.components import utils as tf2_utils


class SAC(agent_lib.ReplayAgent):
    """Soft actor-critic with twin critics and an automatic temperature."""

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 policy_network: Optional[snt.Module] = None,
                 critic_networks: Optional[Sequence[snt.Module]] = None,
                 batch_size: int = 256,
                 prefetch_size: int = 4,
                 min_replay_size: int = 1000,
                 max_replay_size: int = 1_000_000,
                 samples_per_insert: float = 256.0,
                 n_step: int = 1,
                 discount: float = 0.99,
                 tau: float = 0.005,
                 learning_rate: float = 3e-4,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None,
                 *,
                 policy_learning_rate: Optional[float] = None,
                 critic_learning_rate: Optional[float] = None,
                 temperature_learning_rate: Optional[float] = None,
                 init_temperature: float = 1.0,
                 entropy_coefficient: Optional[float] = None,
                 target_entropy: Optional[float] = None,
                 updates_per_call: int = 1,
                 jit_compile: bool = False,
                 seed: Optional[int] = None,
                 num_envs: Optional[int] = None):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be a
            floating-point `BoundedArray` of shape [A] with finite bounds.
          policy_network: observations -> tanh-squashed distribution over actions;
            default `sac.make_policy_network` (256-256 ReLU).
          critic_networks: two critics (observations, actions) -> [B]; default two
            `sac.make_critic_network` (256-256 ReLU).
          batch_size: transitions per update.
          prefetch_size: batches the dataset prefetches.
          min_replay_size: transitions stored before learning starts.
          max_replay_size: replay capacity (oldest evicted first).
          samples_per_insert: how often each transition is replayed on average;
            batch_size (the default 256) means one update per environment step.
          n_step: steps of the n-step returns (>= 1).
          discount: the agent discount γ in [0, 1].
          tau: the target critics' Polyak rate in (0, 1].
          learning_rate: Adam's learning rate for policy, critics and temperature.
          logger: the learner's logger.
          checkpoint: whether the learner checkpoints.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
          policy_learning_rate: overrides `learning_rate` for the policy.
          critic_learning_rate: overrides `learning_rate` for the critics.
          temperature_learning_rate: overrides `learning_rate` for log α.
          init_temperature: α at the start (> 0).
          entropy_coefficient: a fixed α >= 0 instead of learning it.
          target_entropy: H̄; None: −|A| in the canonical [-1, 1] action box
            (see `sac.canonical_target_entropy`).
          updates_per_call: SGD updates per learner step (the schedule adapts).
          jit_compile: XLA-compile the update.
          seed: seeds the learner's samples and the default networks' weights.
          num_envs: None acts in one environment. An int N builds a batched
            actor for a `BatchedEnvironment` of N copies: one policy call per
            batch step, the tanh-Gaussian sampled independently for every copy,
            one n-step trajectory per copy (`BatchedAdder`). The schedule
            (`min_replay_size`, `samples_per_insert`) counts env steps of all
            copies.
        """
        config = config_lib.SACConfig(
            batch_size=batch_size, prefetch_size=prefetch_size,
            min_replay_size=min_replay_size, max_replay_size=max_replay_size,
            samples_per_insert=samples_per_insert, n_step=n_step, discount=discount,
            tau=tau, learning_rate=learning_rate,
            policy_learning_rate=policy_learning_rate,
            critic_learning_rate=critic_learning_rate,
            temperature_learning_rate=temperature_learning_rate,
            init_temperature=init_temperature,
            entropy_coefficient=entropy_coefficient, target_entropy=target_entropy,
            updates_per_call=updates_per_call, jit_compile=jit_compile, seed=seed)
        config.validate()
        if num_envs is not None:
            config_lib.check_positive_int('num_envs', num_envs)
        sac_networks.check_continuous_actions(environment_spec.actions)
        self.config = config
        self._num_envs = num_envs
        batched = num_envs is not None
        self._environment_spec = environment_spec

        if policy_network is None or critic_networks is None:
            if seed is not None:
                tf.random.set_seed(seed)
            defaults = sac_networks.make_networks(environment_spec)
            if policy_network is None:
                policy_network = defaults['policy']
            if critic_networks is None:
                critic_networks = defaults['critics']

        self._server = reverb.Server(
            [builder.make_replay_table(environment_spec, config)], port=None)
        address = f'localhost:{self._server.port}'
        self._address = address
        adder = builder.make_adder(reverb.Client(address), config, num_envs)
        dataset = builder.make_dataset(address, config)

        learner_device = devices.select_device(device, role='SACLearner')
        target_critics = [copy.deepcopy(c) for c in critic_networks]
        learner = builder.make_learner(
            policy_network, critic_networks, target_critics, dataset,
            environment_spec, config, logger=logger, checkpoint=checkpoint,
            device=learner_device, directory=checkpoint_subpath)

        if tf.DeviceSpec.from_string(learner_device).device_type == 'CPU':
            # Share the learner's variables: no copies on the acting path.
            self._actor_policy = policy_network
            actor = builder.make_actor(policy_network, environment_spec, adder,
                                       batched=batched)
        else:
            self._actor_policy = copy.deepcopy(policy_network)
            with tf.device('/CPU:0'):
                tf2_utils.create_variables(self._actor_policy,
                                           [environment_spec.observations])
            actor = builder.make_actor(self._actor_policy, environment_spec, adder,
                                       variable_source=learner, batched=batched)
            actor.update(wait=True)
        super().__init__(actor, learner,
                         min_observations=builder.min_observations(config),
                         observations_per_step=builder.observations_per_step(config))

    def make_evaluation_actor(self, batched: bool = False) -> actors.FeedForwardActor:
        """An actor following the deterministic policy (the squashed mean).

        It shares the acting policy's variables (kept fresh by the agent) and
        writes nothing to replay; run it in its own `EnvironmentLoop` with
        `should_update=False` (`batched`: on a `BatchedEnvironment`, whatever
        the agent's own `num_envs`).
        """
        return builder.make_actor(self._actor_policy, self._environment_spec,
                                  greedy=True, batched=batched)

    @property
    def eval_policy(self) -> snt.Module:
        """Observations [B, ...] -> deterministic actions [B, A] in the bounds."""
        return sac_networks.make_eval_policy(self._actor_policy,
                                             self._environment_spec.actions)
