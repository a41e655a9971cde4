"""BootstrappedDQNBuilder: the one place bootstrapped DQN's parts are assembled
(see `agents.builders`)."""

import copy
from typing import Any, Iterator, Optional

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import core, errors, specs
from troupe.agents import builders, spaces
from troupe.agents.bootstrapped_dqn import actor as actor_lib
from troupe.agents.bootstrapped_dqn import config as config_lib
from troupe.agents.bootstrapped_dqn import learning
from troupe.agents.bootstrapped_dqn import networks as boot_networks
from troupe.components import actors, adders, counting, loggers
from troupe.components import networks as troupe_networks
from troupe.components.variables import VariableClient


class BootstrappedDQNBuilder(builders.TransitionReplayBuilder):
    """A uniform table of n-step transitions carrying bootstrap masks, actors
    that follow one ensemble member per episode (`BootstrappedActor`), and a
    `BootstrappedDQNLearner`. Networks: the prior ensemble module.

    Each actor acts in one environment (`batched_acting` False: a member per
    episode and a mask per transition are per copy, which a batched policy
    call does not provide). The distributed runtime's per-actor exploration
    sets `epsilon`.
    """

    name = 'bootstrapped_dqn'
    config_class = config_lib.BootstrappedDQNConfig
    actions = spaces.DISCRETE
    batched_acting = False
    exploration_field = 'epsilon'

    def extras_spec(self, environment_spec: specs.EnvironmentSpec) -> Any:
        del environment_spec
        return actor_lib.mask_spec(self.config.ensemble_size)

    def make_networks(self, environment_spec: specs.EnvironmentSpec
                      ) -> troupe_networks.EnsembleWithPrior:
        """The prior ensemble of the config; with a config `seed`, TensorFlow's
        global seed is set first, so its initial weights are reproducible."""
        config = self.config
        if config.seed is not None:
            tf.random.set_seed(config.seed)
        return boot_networks.make_ensemble(environment_spec, config.ensemble_size,
                                           config.hidden_sizes, config.prior_scale)

    def make_policy(self, networks: snt.Module, environment_spec: specs.EnvironmentSpec,
                    evaluation: bool = False) -> snt.Module:
        if evaluation:
            return boot_networks.make_evaluation_policy(networks, environment_spec)
        return boot_networks.make_member_policy(networks, environment_spec,
                                                self.config.epsilon)

    def make_actor(self, policy: snt.Module, environment_spec: specs.EnvironmentSpec,
                   variable_source: Optional[core.VariableSource] = None,
                   adder: Optional[adders.Adder] = None, *,
                   batched: bool = False,
                   variable_update_period: int = 1) -> core.Actor:
        """A `BootstrappedActor` for the member policy; a plain
        `FeedForwardActor` for the evaluation policy (which writes nothing)."""
        if batched:
            raise errors.InvalidInput(
                'bootstrapped_dqn acts in one environment at a time (batched=True).')
        client = None
        if variable_source is not None:
            builders.create_policy_variables(policy, environment_spec)
            # All the ensemble's variables: the priors too, so that this
            # actor's copy has the learner's priors.
            client = VariableClient(variable_source,
                                    {'network': policy.network.ensemble.variables},
                                    update_period=variable_update_period)
        # The ensemble modules have no numpy translation: act in TF.
        inner = actors.FeedForwardActor(policy, variable_client=client,
                                        inference='tensorflow')
        member = getattr(policy.network, 'member', None)
        if member is None:  # The evaluation policy.
            return inner
        config = self.config
        return actor_lib.BootstrappedActor(inner, member, config.ensemble_size,
                                           config.mask_probability, adder=adder)

    def make_learner(self, networks: snt.Module, dataset: Iterator[reverb.ReplaySample],
                     environment_spec: specs.EnvironmentSpec,
                     counter: Optional[counting.Counter] = None,
                     logger: Optional[loggers.Logger] = None, *,
                     replay_client: Optional[reverb.Client] = None,
                     device: Optional[str] = None
                     ) -> learning.BootstrappedDQNLearner:
        del replay_client  # Uniform replay: no priorities to write.
        config = self.config
        return learning.BootstrappedDQNLearner(
            network=networks, target_network=copy.deepcopy(networks),
            discount=config.discount, learning_rate=config.learning_rate,
            target_update_period=config.target_update_period, dataset=dataset,
            double_q=config.double_q, huber_loss_parameter=config.huber_loss_parameter,
            max_gradient_norm=config.max_gradient_norm, counter=counter,
            logger=logger, checkpoint=False, device=device,
            updates_per_call=config.updates_per_call, jit_compile=config.jit_compile)
