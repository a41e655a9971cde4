"""DQNBuilder: the one place DQN's parts are assembled (see `agents.builders`)."""

import copy
from typing import Iterator, Optional

import reverb
import sonnet as snt

from troupe import core, specs
from troupe.agents import builders, spaces
from troupe.agents.dqn import config as config_lib
from troupe.agents.dqn import learning
from troupe.agents.dqn import networks as dqn_networks
from troupe.components import actors, adders, counting, intrinsic, loggers
from troupe.components import networks as troupe_networks
from troupe.components.variables import VariableClient


class DQNBuilder(builders.TransitionReplayBuilder):
    """A prioritized table of n-step transitions, ε-greedy actors (ε on its
    schedule over each actor's env steps) and a `DQNLearner` that writes
    |TD error| back as priorities. Networks: the Q-network module; with
    `config.intrinsic_reward`, an `ExtrinsicIntrinsicQ` of two of them, and the
    learner gets the intrinsic reward's trainer (`components.intrinsic`)."""

    name = 'dqn'
    config_class = config_lib.DQNConfig
    actions = spaces.DISCRETE
    exploration_field = 'epsilon'

    def make_networks(self, environment_spec: specs.EnvironmentSpec) -> snt.Module:
        if self.config.intrinsic_reward is not None:
            return dqn_networks.ExtrinsicIntrinsicQ(
                dqn_networks.make_default_network(environment_spec, self.config),
                dqn_networks.make_default_network(environment_spec, self.config))
        return dqn_networks.make_default_network(environment_spec, self.config)

    def make_policy(self, networks: snt.Module, environment_spec: specs.EnvironmentSpec,
                    evaluation: bool = False) -> snt.Module:
        if self.config.intrinsic_reward is not None:
            dqn_networks.check_intrinsic_network(networks, 'DQNBuilder.make_policy')
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
        actor = actors.FeedForwardActor(policy, adder=adder, variable_client=client,
                                        batched=batched)
        epsilon = getattr(policy, 'epsilon', None)
        schedule = self.config.epsilon
        if epsilon is None or not isinstance(schedule, config_lib.LinearEpsilon):
            return actor
        return actors.ScheduledActor(actor, epsilon, schedule,
                                     self.config.epsilon_update_period)

    def make_learner(self, networks: snt.Module, dataset: Iterator[reverb.ReplaySample],
                     environment_spec: specs.EnvironmentSpec,
                     counter: Optional[counting.Counter] = None,
                     logger: Optional[loggers.Logger] = None, *,
                     replay_client: Optional[reverb.Client] = None,
                     device: Optional[str] = None) -> learning.DQNLearner:
        config = self.config
        intrinsic_kwargs = {}
        if config.intrinsic_reward is not None:
            intrinsic_kwargs = dict(
                intrinsic=intrinsic.make_trainer(
                    config.intrinsic_reward, environment_spec,
                    scale=config.intrinsic_scale, discount=config.intrinsic_discount,
                    batch_size=config.batch_size,
                    learning_rate=config.intrinsic_learning_rate,
                    hidden_sizes=config.intrinsic_hidden_sizes,
                    feature_size=config.intrinsic_feature_size),
                intrinsic_discount=config.intrinsic_discount, n_step=config.n_step)
        return learning.DQNLearner(
            network=networks, target_network=copy.deepcopy(networks),
            discount=config.discount,
            importance_sampling_exponent=config.importance_sampling_exponent,
            learning_rate=config.learning_rate,
            target_update_period=config.target_update_period,
            dataset=dataset, huber_loss_parameter=config.huber_loss_parameter,
            # Priorities are written inside the update graph (as Acme does).
            replay_client=(None if replay_client is None
                           else reverb.TFClient(replay_client.server_address)),
            counter=counter, logger=logger,
            checkpoint=False, max_gradient_norm=config.max_gradient_norm,
            device=device, target_update_rate=config.target_update_rate,
            reward_clip=config.reward_clip, updates_per_call=config.updates_per_call,
            jit_compile=config.jit_compile, table=config.replay_table_name,
            **intrinsic_kwargs)

