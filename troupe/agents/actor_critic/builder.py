"""ActorCriticBuilder: the parts DDPG, D4PG, TD3 and MADDPG assemble alike.

A uniform replay table of n-step transitions, the n-step adder, the dataset,
the acting policies (the policy plus clipped Gaussian noise, or the policy
alone when evaluating) and a `FeedForwardActor` refreshed from the learner's
'policy' group. Each agent's builder adds its networks and its learner.
"""

import copy
from typing import ClassVar, Iterator, Optional, Tuple

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import core, specs
from troupe.agents import builders, spaces
from troupe.agents.actor_critic import config as config_lib
from troupe.agents.actor_critic import learning
from troupe.agents.actor_critic import networks as ac_networks
from troupe.components import actors, adders, counting, devices, loggers
from troupe.components.variables import VariableClient


class ActorCriticBuilder(builders.TransitionReplayBuilder):
    """The shared parts (see the module docstring). Networks:
    `ActorCriticNetworks(policy, critics, observation)`; MADDPG's builder
    overrides what differs for dicts of networks keyed by agent.

    `policy_optimizer` and `critic_optimizer` replace the learner's default
    Adam optimizers (at the config's learning rates). Every learner the
    builder makes gets these same objects, so give them to a builder that
    makes one learner; `with_exploration` drops them (actors need none).
    """

    actions = spaces.CONTINUOUS
    batched_acting = True
    exploration_field = 'sigma'
    learner_class: ClassVar[type]  # The learner of the default `_make_learner`.

    def __init__(self, config: Optional[config_lib.ActorCriticConfig] = None, *,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None):
        super().__init__(config)
        self._policy_optimizer = policy_optimizer
        self._critic_optimizer = critic_optimizer

    @property
    def display_name(self) -> str:
        """The agent's name in messages ('DDPG')."""
        return type(self).__name__[:-len('Builder')]

    def check_environment(self, environment_spec: specs.EnvironmentSpec,
                          environment: str = 'this environment') -> None:
        """Also needs action minimum < maximum everywhere."""
        super().check_environment(environment_spec, environment)
        ac_networks.check_continuous_actions(environment_spec.actions,
                                             self.display_name)

    # Replay.
    def _seed(self) -> None:
        """With a config `seed`, sets TensorFlow's global seed before the default
        networks are made, so their initial weights (and the exploration
        noise drawn from the global seed) are reproducible."""
        if self.config.seed is not None:
            tf.random.set_seed(self.config.seed)

    def make_policy(self, networks: ac_networks.ActorCriticNetworks,
                    environment_spec: specs.EnvironmentSpec,
                    evaluation: bool = False) -> snt.Module:
        """The observation network then the policy, plus noise unless evaluating."""
        if evaluation:
            return ac_networks.make_greedy_network(networks.policy, networks.observation)
        return ac_networks.make_behavior_network(
            networks.policy, environment_spec.actions, self.config.sigma,
            networks.observation)

    def make_actor(self, policy: snt.Module, environment_spec: specs.EnvironmentSpec,
                   variable_source: Optional[core.VariableSource] = None,
                   adder: Optional[adders.Adder] = None, *,
                   batched: bool = False,
                   variable_update_period: int = 1) -> core.Actor:
        """A FeedForwardActor; with a `variable_source` the policy's variables
        (observation network then policy, as in the learner's 'policy' group)
        are refreshed from it."""
        client = None
        if variable_source is not None:
            builders.create_policy_variables(policy, environment_spec)
            client = VariableClient(variable_source, {'policy': list(policy.variables)},
                                    update_period=variable_update_period)
        return actors.FeedForwardActor(policy, adder=adder, variable_client=client,
                                       batched=batched)

    # The learner.
    def make_optimizers(self, device: str) -> Tuple[snt.Optimizer, snt.Optimizer]:
        """The builder's (policy, critic) optimizers, or Adams at the config's
        learning rates, made on `device`."""
        return learning.default_optimizers(
            device, self._policy_optimizer, self._critic_optimizer,
            self.config.policy_learning_rate, self.config.critic_learning_rate)

    def make_learner(self, networks: ac_networks.ActorCriticNetworks,
                     dataset: Iterator[reverb.ReplaySample],
                     environment_spec: specs.EnvironmentSpec,
                     counter: Optional[counting.Counter] = None,
                     logger: Optional[loggers.Logger] = None, *,
                     replay_client: Optional[reverb.Client] = None,
                     device: Optional[str] = None) -> core.Learner:
        del replay_client  # Uniform replay: no priorities to write.
        device = devices.select_device(device, role=f'{self.display_name} learner')
        policy_optimizer, critic_optimizer = self.make_optimizers(device)
        config = self.config
        with tf.device(device):  # Where the target copies of built networks go.
            return self._make_learner(
                networks, dataset, environment_spec, device=device,
                policy_optimizer=policy_optimizer, critic_optimizer=critic_optimizer,
                discount=config.discount,
                target_update_period=config.target_update_period,
                target_update_rate=config.target_update_rate, clipping=config.clipping,
                updates_per_call=config.updates_per_call,
                jit_compile=config.jit_compile, counter=counter, logger=logger,
                checkpoint=False)

    def _make_learner(self, networks: ac_networks.ActorCriticNetworks,
                      dataset: Iterator[reverb.ReplaySample],
                      environment_spec: specs.EnvironmentSpec, **shared) -> core.Learner:
        """The agent's learner from its networks, the dataset and the `shared`
        keyword arguments every learner of the family takes (device,
        optimizers, discount, target updates, clipping, updates_per_call,
        jit_compile, counter, logger, checkpoint=False); called on `device`, so
        that copies of built networks (the targets) are made there.

        This default makes a `learner_class` of one critic (DDPG, D4PG); TD3
        and MADDPG override it.
        """
        critic, = ac_networks.check_critics(networks, 1, self.display_name)
        return self.learner_class(
            policy_network=networks.policy, critic_network=critic,
            target_policy_network=copy.deepcopy(networks.policy),
            target_critic_network=copy.deepcopy(critic), dataset=dataset,
            observation_network=networks.observation,
            target_observation_network=copy.deepcopy(networks.observation), **shared)
