"""DDPG: the single-process agent (Acme's TF `ddpg.DDPG` contract).

It starts a Reverb server with a uniform table, writes n-step transitions with an
`NStepTransitionAdder`, acts with the policy plus clipped Gaussian noise through a
`FeedForwardActor`, and trains a `DDPGLearner` on batches from
`make_reverb_dataset`: one learner step every batch_size · updates_per_call /
samples_per_insert observations after max(batch_size, min_replay_size).

`ActorCriticAgent` is the shared assembly; D4PG and TD3 only choose the learner.
"""

import copy
from typing import Callable, List, Optional, Tuple

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import core, specs, types
from troupe.agents import agent as agent_lib
from troupe.agents import checks
from troupe.agents.ddpg import builder
from troupe.agents.ddpg import config as config_lib
from troupe.agents.ddpg import learning
from troupe.agents.ddpg import networks as ddpg_networks
from troupe.components import adders, counting, devices, loggers


def start_replay(environment_spec: specs.EnvironmentSpec,
                 config: config_lib.DDPGConfig, num_envs: Optional[int] = None
                 ) -> Tuple[reverb.Server, adders.Adder, tf.data.Dataset]:
    """A Reverb server holding the config's uniform transition table, the n-step
    adder writing into it (batched for `num_envs` copies) and the dataset of
    batches sampled from it. The specs may be nests, e.g. dicts keyed by agent."""
    server = reverb.Server([builder.make_replay_table(environment_spec, config)],
                           port=None)
    address = f'localhost:{server.port}'
    adder = builder.make_adder(reverb.Client(address), config, num_envs)
    return server, adder, builder.make_dataset(address, config)


def learner_on_cpu(learner: core.Learner) -> bool:
    """Whether the learner's variables live on a CPU, where actors can share them."""
    return tf.DeviceSpec.from_string(learner.device).device_type == 'CPU'


def actor_following(learner: core.Learner, networks,
                    make_actor: Callable[..., core.Actor]) -> core.Actor:
    """`make_actor(networks, variable_source)`, an actor kept up to date with the
    learner's networks.

    With the learner on a CPU the actor shares its networks (no copies on the
    acting path; `variable_source` is None). Otherwise it acts with copies of
    `networks` (a nest of built modules) whose variables live on the CPU,
    refreshed from the learner (`variable_source` is the learner), and is
    synchronised once before it is returned.
    """
    if learner_on_cpu(learner):
        return make_actor(networks, None)
    with tf.device('/CPU:0'):
        copies = copy.deepcopy(networks)
    actor = make_actor(copies, learner)
    actor.update(wait=True)
    return actor


class ActorCriticAgent(agent_lib.ReplayAgent):
    """Replay, adder, dataset, exploring actor and learner of a deterministic
    actor-critic; subclasses provide `_make_learner`."""

    _name = 'DDPG'

    def _setup(self,
               environment_spec: specs.EnvironmentSpec,
               config: config_lib.DDPGConfig,
               policy_network: snt.Module,
               critic_networks: List[snt.Module],
               observation_network: Optional[types.TensorTransformation],
               logger: Optional[loggers.Logger],
               counter: Optional[counting.Counter],
               checkpoint: bool,
               device: Optional[str],
               policy_optimizer: Optional[snt.Optimizer],
               critic_optimizer: Optional[snt.Optimizer],
               checkpoint_subpath: str,
               num_envs: Optional[int] = None) -> None:
        """Builds every part and hands actor and learner to `Agent`.

        `num_envs` N builds a batched actor and adder for a `BatchedEnvironment`
        of N copies (see `DDPG`); None acts in one environment.
        """
        config.validate()
        if num_envs is not None:
            checks.check_positive_int('num_envs', num_envs)
        self._num_envs = num_envs
        batched = num_envs is not None
        ddpg_networks.check_continuous_actions(environment_spec.actions, self._name)
        self.config = config
        self._environment_spec = environment_spec

        self._server, adder, dataset = start_replay(environment_spec, config, num_envs)
        self._address = self.server_address

        observation_network = learning.to_sonnet_module(observation_network)
        self._policy_network = policy_network
        self._observation_network = observation_network
        learner_device = devices.select_device(device, role=f'{self._name} learner')
        policy_optimizer, critic_optimizer = learning.default_optimizers(
            learner_device, policy_optimizer, critic_optimizer,
            config.policy_learning_rate, config.critic_learning_rate)
        learner = self._make_learner(
            policy_network=policy_network,
            critic_networks=critic_networks,
            target_policy_network=copy.deepcopy(policy_network),
            target_critic_networks=[copy.deepcopy(c) for c in critic_networks],
            observation_network=observation_network,
            target_observation_network=copy.deepcopy(observation_network),
            dataset=dataset,
            config=config,
            policy_optimizer=policy_optimizer,
            critic_optimizer=critic_optimizer,
            counter=counter, logger=logger, checkpoint=checkpoint,
            device=learner_device, directory=checkpoint_subpath)

        def make_actor(networks, variable_source):
            policy, observation = networks
            return builder.make_actor(policy, environment_spec, config.sigma,
                                      observation, adder,
                                      variable_source=variable_source,
                                      batched=batched)
        actor = actor_following(learner, (policy_network, observation_network),
                                make_actor)
        super().__init__(actor, learner,
                         min_observations=builder.min_observations(config),
                         observations_per_step=builder.observations_per_step(config))

    def _make_learner(self, **kwargs) -> core.Learner:
        raise NotImplementedError

    def make_evaluation_actor(self, batched: bool = False) -> core.Actor:
        """A greedy actor (no exploration noise) that always uses the learner's
        current policy and writes nothing to replay (`batched`: for a
        `BatchedEnvironment`)."""
        def make_actor(networks, variable_source):
            return builder.make_evaluation_actor(*networks,
                                                 variable_source=variable_source,
                                                 batched=batched)
        return actor_following(
            self._learner, (self._policy_network, self._observation_network),
            make_actor)


class DDPG(ActorCriticAgent):
    """Deep Deterministic Policy Gradient with n-step returns and target networks."""

    _name = 'DDPG'
    _learner_class: Callable = learning.DDPGLearner

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 policy_network: snt.Module,
                 critic_network: snt.Module,
                 observation_network: types.TensorTransformation = tf.identity,
                 discount: float = 0.99,
                 batch_size: int = 256,
                 prefetch_size: int = 4,
                 target_update_period: int = 100,
                 min_replay_size: int = 1000,
                 max_replay_size: int = 1_000_000,
                 samples_per_insert: float = 32.0,
                 n_step: int = 5,
                 sigma: float = 0.3,
                 clipping: bool = True,
                 logger: Optional[loggers.Logger] = None,
                 counter: Optional[counting.Counter] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 *,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None,
                 policy_learning_rate: float = 1e-4,
                 critic_learning_rate: float = 1e-4,
                 target_update_rate: Optional[float] = None,
                 updates_per_call: int = 1,
                 jit_compile: bool = True,
                 checkpoint_subpath: str = '~/troupe/',
                 num_envs: Optional[int] = None):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be a float
            BoundedArray with finite bounds.
          policy_network: μ, embedded observations -> actions within the bounds
            (see `ddpg.make_default_networks`).
          critic_network: Q, (embedded observations, actions) -> [B, 1] values.
          observation_network: embedding shared by policy and critic (trained by
            the critic loss); tf.identity by default.
          discount: the agent discount in [0, 1].
          batch_size: transitions per update.
          prefetch_size: batches the dataset prefetches.
          target_update_period: updates between target-network copies.
          min_replay_size: transitions stored before learning starts.
          max_replay_size: replay capacity (oldest evicted first).
          samples_per_insert: how often each transition is replayed on average.
          n_step: steps of the n-step returns (>= 1).
          sigma: exploration noise σ >= 0, relative to the half-range of the
            action bounds.
          clipping: clip dQ/da and gradients as Acme does.
          logger: the learner's logger.
          counter: the learner's counter.
          checkpoint: whether the learner checkpoints.
          device: the learner's device (default: first GPU, else CPU).
          policy_optimizer: default Adam(policy_learning_rate).
          critic_optimizer: default Adam(critic_learning_rate).
          policy_learning_rate: the default policy optimizer's learning rate.
          critic_learning_rate: the default critic optimizer's learning rate.
          target_update_rate: Polyak τ in (0, 1] every update instead of copies.
          updates_per_call: SGD updates per learner step (the schedule adapts).
          jit_compile: XLA-compile the update.
          checkpoint_subpath: the checkpoint root directory.
          num_envs: None acts in one environment. An int N builds a batched
            actor for a `BatchedEnvironment` of N copies: one policy call per
            batch step, exploration noise drawn per copy, one n-step trajectory
            per copy (`BatchedAdder`). The schedule (`min_replay_size`,
            `samples_per_insert`) counts env steps of all copies.
        """
        config = config_lib.DDPGConfig(
            discount=discount, batch_size=batch_size, prefetch_size=prefetch_size,
            target_update_period=target_update_period,
            target_update_rate=target_update_rate, min_replay_size=min_replay_size,
            max_replay_size=max_replay_size, samples_per_insert=samples_per_insert,
            n_step=n_step, sigma=sigma, clipping=clipping,
            policy_learning_rate=policy_learning_rate,
            critic_learning_rate=critic_learning_rate,
            updates_per_call=updates_per_call, jit_compile=jit_compile)
        self._setup(environment_spec, config, policy_network, [critic_network],
                    observation_network, logger, counter, checkpoint, device,
                    policy_optimizer, critic_optimizer, checkpoint_subpath,
                    num_envs=num_envs)

    def _make_learner(self, *, policy_network, critic_networks, target_policy_network,
                      target_critic_networks, observation_network,
                      target_observation_network, dataset, config, **kwargs):
        return self._learner_class(
            policy_network=policy_network, critic_network=critic_networks[0],
            target_policy_network=target_policy_network,
            target_critic_network=target_critic_networks[0], dataset=dataset,
            discount=config.discount,
            target_update_period=config.target_update_period,
            observation_network=observation_network,
            target_observation_network=target_observation_network,
            clipping=config.clipping, target_update_rate=config.target_update_rate,
            updates_per_call=config.updates_per_call,
            jit_compile=config.jit_compile, **kwargs)
