"""NFQBuilder: the one place NFQ's parts are assembled (see `agents.builders`)."""

from typing import Iterator, Optional

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import core, specs
from troupe.agents import builders, spaces
from troupe.agents.nfq import config as config_lib
from troupe.agents.nfq import learning
from troupe.agents.nfq import networks as nfq_networks
from troupe.components import actors, adders, counting, loggers
from troupe.components import networks as troupe_networks
from troupe.components.variables import VariableClient


class NFQBuilder(builders.TransitionReplayBuilder):
    """A uniform table of (one-step) transitions, ε-greedy actors and an
    `NFQLearner`. Networks: the Q-network module."""

    name = 'nfq'
    config_class = config_lib.NFQConfig
    actions = spaces.DISCRETE
    batched_acting = True
    exploration_field = 'epsilon'

    def replay_samples_per_insert(self) -> float:
        return self.config.replay_samples_per_insert

    def make_networks(self, environment_spec: specs.EnvironmentSpec) -> snt.Module:
        """The default Q-network of `hidden_sizes`; with a config `seed`,
        TensorFlow's global seed is set first, so its initial weights are
        reproducible."""
        if self.config.seed is not None:
            tf.random.set_seed(self.config.seed)
        return nfq_networks.make_network(environment_spec, self.config.hidden_sizes)

    def make_policy(self, networks: snt.Module, environment_spec: specs.EnvironmentSpec,
                    evaluation: bool = False) -> snt.Module:
        if evaluation:
            return troupe_networks.GreedyPolicy(networks, environment_spec.actions)
        epsilon = actors.scheduled_variable(self.config.epsilon, 'epsilon')
        return troupe_networks.EpsilonGreedyPolicy(networks, epsilon,
                                                   environment_spec.actions)

    def make_actor(self, policy: snt.Module, environment_spec: specs.EnvironmentSpec,
                   variable_source: Optional[core.VariableSource] = None,
                   adder: Optional[adders.Adder] = None, *,
                   batched: bool = False,
                   variable_update_period: int = 1) -> core.Actor:
        client = None
        if variable_source is not None:
            builders.create_policy_variables(policy, environment_spec)
            client = VariableClient(variable_source,
                                    {'network': policy.network.trainable_variables},
                                    update_period=variable_update_period)
        return actors.FeedForwardActor(policy, adder=adder, variable_client=client,
                                       batched=batched)

    def make_learner(self, networks: snt.Module, dataset: Iterator[reverb.ReplaySample],
                     environment_spec: specs.EnvironmentSpec,
                     counter: Optional[counting.Counter] = None,
                     logger: Optional[loggers.Logger] = None, *,
                     replay_client: Optional[reverb.Client] = None,
                     device: Optional[str] = None) -> learning.NFQLearner:
        del replay_client  # Uniform replay: no priorities to write.
        config = self.config
        return learning.NFQLearner(
            networks, dataset, discount=config.discount,
            learning_rate=config.learning_rate, counter=counter, logger=logger,
            checkpoint=False, device=device, jit_compile=config.jit_compile,
            updates_per_call=config.updates_per_call)
