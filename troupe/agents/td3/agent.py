"""TD3: the single-process agent.

The assembly of `ddpg.DDPG` (uniform replay, n-step adder, exploring
FeedForwardActor, Acme's schedule) with two critics and a `TD3Learner`; by
default one update of 256 one-step transitions per environment step.
"""

import copy
from typing import Optional

import sonnet as snt
import tensorflow as tf

from troupe import specs, types
from troupe.agents.ddpg import agent as ddpg_agent
from troupe.agents.td3 import config as config_lib
from troupe.agents.td3 import learning
from troupe.components import counting, loggers


def _has_variables(module) -> bool:
    try:
        return bool(module.variables)
    except ValueError:  # Sonnet: a module that has not created its variables yet.
        return False


class TD3(ddpg_agent.ActorCriticAgent):
    """Twin Delayed DDPG (Fujimoto et al., 2018)."""

    _name = 'TD3'

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 policy_network: snt.Module,
                 critic_network: snt.Module,
                 twin_critic_network: Optional[snt.Module] = None,
                 observation_network: types.TensorTransformation = tf.identity,
                 discount: float = 0.99,
                 batch_size: int = 256,
                 prefetch_size: int = 4,
                 min_replay_size: int = 1000,
                 max_replay_size: int = 1_000_000,
                 samples_per_insert: float = 256.0,
                 n_step: int = 1,
                 sigma: float = 0.1,
                 policy_update_period: int = 2,
                 target_sigma: float = 0.2,
                 noise_clip: float = 0.5,
                 target_update_rate: Optional[float] = 0.005,
                 clipping: bool = False,
                 logger: Optional[loggers.Logger] = None,
                 counter: Optional[counting.Counter] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 *,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None,
                 policy_learning_rate: float = 3e-4,
                 critic_learning_rate: float = 3e-4,
                 target_update_period: int = 1,
                 updates_per_call: int = 1,
                 jit_compile: bool = True,
                 seed: int = 0,
                 checkpoint_subpath: str = '~/troupe/',
                 num_envs: Optional[int] = None):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be a float
            BoundedArray with finite bounds.
          policy_network: μ, embedded observations -> actions within the bounds.
          critic_network: Q1, (embedded observations, actions) -> [B, 1].
          twin_critic_network: Q2; default a deep copy of `critic_network` made
            before any variables exist (so initialised independently).
          observation_network: embedding trained by the critic loss.
          discount: the agent discount in [0, 1].
          batch_size: transitions per update.
          prefetch_size: batches the dataset prefetches.
          min_replay_size: transitions stored before learning starts.
          max_replay_size: replay capacity.
          samples_per_insert: how often each transition is replayed on average.
          n_step: steps of the n-step returns.
          sigma: exploration noise σ >= 0 relative to the bounds' half-range.
          policy_update_period: critic updates per policy and target update.
          target_sigma: target smoothing noise σ' >= 0 (relative).
          noise_clip: the smoothing noise's clip c >= 0 (relative).
          target_update_rate: Polyak τ in (0, 1]; None for periodic copies.
          clipping: clip dQ/da and gradients as Acme's DDPG does.
          logger: the learner's logger.
          counter: the learner's counter.
          checkpoint: whether the learner checkpoints.
          device: the learner's device.
          policy_optimizer: default Adam(policy_learning_rate).
          critic_optimizer: default Adam(critic_learning_rate).
          policy_learning_rate: the default policy optimizer's learning rate.
          critic_learning_rate: the default critic optimizer's learning rate.
          target_update_period: copy period when `target_update_rate` is None.
          updates_per_call: SGD updates per learner step.
          jit_compile: XLA-compile the update.
          seed: seeds the target smoothing noise.
          checkpoint_subpath: the checkpoint root directory.
          num_envs: None acts in one environment; an int N builds a batched actor
            and adder for a `BatchedEnvironment` of N copies.
        """
        config = config_lib.TD3Config(
            discount=discount, batch_size=batch_size, prefetch_size=prefetch_size,
            target_update_period=target_update_period,
            target_update_rate=target_update_rate, min_replay_size=min_replay_size,
            max_replay_size=max_replay_size, samples_per_insert=samples_per_insert,
            n_step=n_step, sigma=sigma, clipping=clipping,
            policy_learning_rate=policy_learning_rate,
            critic_learning_rate=critic_learning_rate,
            updates_per_call=updates_per_call, jit_compile=jit_compile,
            policy_update_period=policy_update_period, target_sigma=target_sigma,
            noise_clip=noise_clip, seed=seed)
        if twin_critic_network is None:
            if _has_variables(critic_network):
                raise ValueError(
                    'critic_network already has variables, so a copy would start '
                    'identical to it; pass an independently initialised '
                    'twin_critic_network.')
            twin_critic_network = copy.deepcopy(critic_network)
        if twin_critic_network is critic_network:
            raise ValueError('twin_critic_network must be a different module from '
                             'critic_network.')
        self._setup(environment_spec, config, policy_network,
                    [critic_network, twin_critic_network], observation_network,
                    logger, counter, checkpoint, device, policy_optimizer,
                    critic_optimizer, checkpoint_subpath, num_envs=num_envs)

    def _make_learner(self, *, policy_network, critic_networks, target_policy_network,
                      target_critic_networks, observation_network,
                      target_observation_network, dataset, config, **kwargs):
        return learning.TD3Learner(
            policy_network=policy_network, critic_network=critic_networks[0],
            twin_critic_network=critic_networks[1],
            target_policy_network=target_policy_network,
            target_critic_network=target_critic_networks[0],
            target_twin_critic_network=target_critic_networks[1],
            dataset=dataset, action_spec=self._environment_spec.actions,
            discount=config.discount,
            policy_update_period=config.policy_update_period,
            observation_network=observation_network,
            target_observation_network=target_observation_network,
            clipping=config.clipping, target_sigma=config.target_sigma,
            noise_clip=config.noise_clip,
            target_update_rate=config.target_update_rate,
            target_update_period=config.target_update_period, seed=config.seed,
            updates_per_call=config.updates_per_call,
            jit_compile=config.jit_compile, **kwargs)
