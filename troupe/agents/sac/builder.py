"""SACBuilder: the one place SAC's parts are assembled (see `agents.builders`)."""

import copy
from typing import Iterator, Optional

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import core, specs
from troupe.agents import builders, spaces
from troupe.agents.sac import config as config_lib
from troupe.agents.sac import learning
from troupe.agents.sac import networks as sac_networks
from troupe.components import actors, adders, counting, devices, loggers
from troupe.components.variables import VariableClient


class SACBuilder(builders.TransitionReplayBuilder):
    """A uniform table of n-step transitions, actors sampling the tanh-Gaussian
    policy (its squashed mean when evaluating) and a `SACLearner`.
    Networks: `sac.SACNetworks(policy, critics)`."""

    name = 'sac'
    config_class = config_lib.SACConfig
    actions = spaces.CONTINUOUS
    batched_acting = True

    def check_environment(self, environment_spec: specs.EnvironmentSpec,
                          environment: str = 'this environment') -> None:
        """Also needs actions of shape [A] with minimum < maximum everywhere."""
        super().check_environment(environment_spec, environment)
        sac_networks.check_continuous_actions(environment_spec.actions)

    def make_networks(self, environment_spec: specs.EnvironmentSpec
                      ) -> sac_networks.SACNetworks:
        """The default networks of `policy_hidden_sizes` / `critic_hidden_sizes`;
        with a config `seed`, TensorFlow's global seed is set first, so their
        initial weights are reproducible."""
        if self.config.seed is not None:
            tf.random.set_seed(self.config.seed)
        return sac_networks.make_networks(environment_spec,
                                          self.config.policy_hidden_sizes,
                                          self.config.critic_hidden_sizes)

    def make_policy(self, networks: sac_networks.SACNetworks,
                    environment_spec: specs.EnvironmentSpec,
                    evaluation: bool = False) -> sac_networks.ActionPolicy:
        """Samples the policy; with `evaluation`, its squashed mean."""
        if evaluation:
            return sac_networks.make_eval_policy(networks.policy,
                                                 environment_spec.actions)
        return sac_networks.ActionPolicy(networks.policy, environment_spec.actions)

    def make_actor(self, policy: sac_networks.ActionPolicy,
                   environment_spec: specs.EnvironmentSpec,
                   variable_source: Optional[core.VariableSource] = None,
                   adder: Optional[adders.Adder] = None, *,
                   batched: bool = False,
                   variable_update_period: int = 1) -> core.Actor:
        client = None
        if variable_source is not None:
            builders.create_policy_variables(policy, environment_spec)
            client = VariableClient(variable_source,
                                    {'policy': policy.network.variables},
                                    update_period=variable_update_period)
        return actors.FeedForwardActor(policy, adder=adder, variable_client=client,
                                       batched=batched)

    def make_learner(self, networks: sac_networks.SACNetworks,
                     dataset: Iterator[reverb.ReplaySample],
                     environment_spec: specs.EnvironmentSpec,
                     counter: Optional[counting.Counter] = None,
                     logger: Optional[loggers.Logger] = None, *,
                     replay_client: Optional[reverb.Client] = None,
                     device: Optional[str] = None) -> learning.SACLearner:
        del replay_client  # Uniform replay: no priorities to write.
        config = self.config
        critics = list(networks.critics)
        device = devices.select_device(device, role='SACLearner')
        with tf.device(device):  # The optimizers live with the learner.
            policy_optimizer, critic_optimizer, temperature_optimizer = [
                snt.optimizers.Adam(rate) for rate in config.learning_rates()]
        return learning.SACLearner(
            policy_network=networks.policy, critic_networks=critics,
            target_critic_networks=[copy.deepcopy(c) for c in critics],
            dataset=dataset, discount=config.discount,
            target_update_rate=config.target_update_rate,
            policy_optimizer=policy_optimizer, critic_optimizer=critic_optimizer,
            temperature_optimizer=temperature_optimizer,
            target_entropy=config.target_entropy,
            init_temperature=config.init_temperature,
            entropy_coefficient=config.entropy_coefficient, counter=counter,
            logger=logger, checkpoint=False, device=device,
            action_spec=environment_spec.actions,
            updates_per_call=config.updates_per_call, jit_compile=config.jit_compile,
            seed=config.seed)
