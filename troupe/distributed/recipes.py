"""How each agent's parts are built on the nodes of a distributed program.

A recipe turns the resolved hyperparameters `troupe train` uses into one agent's
parts — replay tables, learner, actors, evaluation actor — by calling the
agent's `builder` module, the same functions its single-process agent is built
from, so each agent has one definition. Each node builds only its own part:
the replay node the tables, the learner node the learner, an actor node one
actor. Learners and actors run on whichever device the placement rule picks
(actor nodes hide the GPUs, so theirs is the CPU).
"""

import abc
import copy
import dataclasses
import functools
from typing import Any, Dict, List, Optional

import dm_env
import reverb
import sonnet as snt
import tensorflow as tf
import tree

from troupe import core, specs
from troupe.agents import d4pg, dqn, impala, sac
from troupe.agents import registry
from troupe.agents.a2c import builder as on_policy_builder
from troupe.agents.ddpg import config as ddpg_config
from troupe.agents.ddpg import learning as ddpg_learning
from troupe.agents.dqn import config as dqn_config
from troupe.agents.impala import config as impala_config
from troupe.agents.registry import builders as registry_builders
from troupe.agents.registry.values import split
from troupe.agents.sac import config as sac_config
from troupe.components import counting, loggers
from troupe.components import utils as tf2_utils
from troupe.distributed.config import ProgramConfig
from troupe.environments.batched import BatchedEnvironment

_FIRST = dm_env.StepType.FIRST


def make_agent_environment(seed: int, name: str, kwargs: Dict[str, Any]
                           ) -> dm_env.Environment:
    """One environment as the command line's agents see it (module level, so a
    `BatchedEnvironment` can build copies in worker processes)."""
    return registry.make_environment(name, seed, kwargs)


def _config_from(config_class, agent_kwargs: Dict[str, Any]):
    """The agent's config dataclass from its constructor keyword arguments."""
    fields = {field.name for field in dataclasses.fields(config_class)}
    config = config_class(**{k: v for k, v in agent_kwargs.items() if k in fields})
    config.validate()
    return config


def _build_on_cpu(network: snt.Module, *input_specs) -> None:
    with tf.device('/CPU:0'):
        tf2_utils.create_variables(network, list(input_specs))


class Recipe(abc.ABC):
    """One agent's distributed parts; subclasses are the agents.

    Attributes:
      program: the `ProgramConfig`.
      environment_spec: the spec of one (unbatched) environment.
      config: the agent's config dataclass.
      agent_kwargs, network_kwargs: the hyperparameters, split.
    """

    config_class: type
    supports_num_envs = True
    # What ProgramConfig.actor_exploration sets per actor (None: nothing).
    exploration: Optional[str] = None

    def __init__(self, program: ProgramConfig):
        self.program = program
        entry = registry.get(program.agent)
        environment = make_agent_environment(program.seed, program.env,
                                             dict(program.env_kwargs))
        try:
            self.environment_spec = specs.make_environment_spec(environment)
        finally:
            environment.close()
        entry.check_can_act(program.env, self.environment_spec)
        agent_kwargs, self.network_kwargs = split(
            dict(program.hyperparameters), entry.parameters)
        self.agent_kwargs = self.from_json(agent_kwargs)
        self.config = _config_from(self.config_class, self.agent_kwargs)
        if program.num_envs is not None and not self.supports_num_envs:
            raise ValueError(
                f'{program.agent} actors act in one environment each; num_envs='
                f'{program.num_envs} is for agents with batched actors: '
                f'{", ".join(batched_agents())}.')
        if program.actor_exploration is not None and self.exploration is None:
            raise ValueError(
                f'{program.agent} has no per-actor exploration setting; '
                'actor_exploration is for ' + ', '.join(
                    f'{name} ({recipe.exploration})' for name, recipe in RECIPES.items()
                    if recipe.exploration) + '.')

    def from_json(self, agent_kwargs: Dict[str, Any]) -> Dict[str, Any]:
        """The constructor's values from their JSON form (e.g. schedules)."""
        return agent_kwargs

    # Environments.
    def make_environment(self, seed: int) -> dm_env.Environment:
        """An actor's environment: one, or a BatchedEnvironment of num_envs."""
        program = self.program
        if program.num_envs is None:
            return make_agent_environment(seed, program.env, dict(program.env_kwargs))
        factory = functools.partial(make_agent_environment, name=program.env,
                                    kwargs=dict(program.env_kwargs))
        return BatchedEnvironment(factory, program.num_envs, seed=seed)

    def make_evaluation_environment(self) -> dm_env.Environment:
        program = self.program
        return make_agent_environment(program.evaluator_seed, program.env,
                                      dict(program.env_kwargs))

    @property
    def batched(self) -> bool:
        return self.program.num_envs is not None

    def actor_exploration(self, index: int) -> Optional[float]:
        """Actor `index`'s exploration value, or None for the hyperparameters'."""
        values = self.program.actor_exploration
        if values is None:
            return None
        if index >= len(values):
            raise ValueError(f'actor_exploration has {len(values)} values, but actor '
                             f'{index} needs one (give one per actor).')
        return float(values[index])

    # The parts.
    @abc.abstractmethod
    def replay_tables(self) -> List[reverb.Table]:
        """The tables of the replay node, with inserts that wait for the learner."""

    @abc.abstractmethod
    def make_learner(self, server_address: str, counter: counting.Counter,
                     logger: loggers.Logger) -> core.Learner:
        """The learner, sampling from the replay at `server_address`; it must
        have `get_variables` and `state` (what a Checkpointer saves)."""

    @abc.abstractmethod
    def make_actor(self, server_address: str, variable_source: core.VariableSource,
                   index: int) -> core.Actor:
        """Actor `index`: explores, writes to the replay, and refreshes its
        networks from `variable_source` every `variable_update_period` steps."""

    @abc.abstractmethod
    def make_evaluation_actor(self, variable_source: core.VariableSource) -> core.Actor:
        """Acts with the greedy / evaluation policy; writes nothing."""


class EpsilonAnnealingActor(core.Actor):
    """A DQN actor whose ε follows its schedule over this actor's env steps."""

    def __init__(self, actor: core.Actor, annealer: dqn.builder.EpsilonAnnealer):
        self._actor = actor
        self._annealer = annealer
        self._steps = 0

    def select_action(self, observation):
        return self._actor.select_action(observation)

    def observe_first(self, timestep):
        self._actor.observe_first(timestep)

    def observe(self, action, next_timestep):
        self._steps += count_env_steps(next_timestep.step_type)
        self._actor.observe(action, next_timestep)
        self._annealer.observe(self._steps)

    def update(self, wait: bool = False):
        self._actor.update(wait)


class DQNRecipe(Recipe):
    """DQN: a prioritized n-step table; ε-greedy actors (ε per actor, or the schedule over each actor's own steps)."""

    config_class = dqn_config.DQNConfig
    exploration = 'epsilon'

    def from_json(self, agent_kwargs):
        return dict(agent_kwargs, epsilon=registry_builders.schedule(
            agent_kwargs['epsilon'], dqn.LinearEpsilon))

    def _network(self) -> snt.Module:
        spec = self.environment_spec
        if registry_builders._is_image(spec.observations):
            return dqn.make_atari_network(spec)
        return dqn.make_mlp_network(spec, **self.network_kwargs)

    def replay_tables(self):
        return [dqn.builder.make_replay_table(self.environment_spec, self.config,
                                              blocking_inserts=True)]

    def make_learner(self, server_address, counter, logger):
        network = self._network()
        return dqn.builder.make_learner(
            network, copy.deepcopy(network),
            dqn.builder.make_dataset(server_address, self.config), self.config,
            replay_client=reverb.TFClient(server_address), counter=counter,
            logger=logger, checkpoint=False)

    def make_actor(self, server_address, variable_source, index):
        network = self._network()
        _build_on_cpu(network, self.environment_spec.observations)
        epsilon = self.actor_exploration(index)
        if epsilon is None:
            epsilon = self.config.epsilon
        annealer = dqn.builder.EpsilonAnnealer(
            epsilon, self.agent_kwargs.get('epsilon_update_period', 10))
        adder = dqn.builder.make_adder(reverb.Client(server_address), self.config,
                                       self.program.num_envs)
        actor = dqn.builder.make_actor(
            network, self.environment_spec, annealer.variable, adder,
            variable_source=variable_source,
            variable_update_period=self.program.variable_update_period,
            batched=self.batched)
        return EpsilonAnnealingActor(actor, annealer)

    def make_evaluation_actor(self, variable_source):
        network = self._network()
        _build_on_cpu(network, self.environment_spec.observations)
        return dqn.builder.make_evaluation_actor(network, self.environment_spec,
                                                 variable_source=variable_source)


class D4PGRecipe(Recipe):
    """D4PG: a uniform n-step table; actors add Gaussian noise (σ per actor, or the config's)."""

    config_class = ddpg_config.DDPGConfig
    exploration = 'sigma'

    def _networks(self) -> Dict[str, Any]:
        return d4pg.make_default_networks(self.environment_spec.actions,
                                          **self.network_kwargs)

    def _actor_policy(self) -> snt.Module:
        policy = self._networks()['policy']
        _build_on_cpu(policy, self.environment_spec.observations)
        return policy

    def replay_tables(self):
        return [d4pg.builder.make_replay_table(self.environment_spec, self.config,
                                               blocking_inserts=True)]

    def make_learner(self, server_address, counter, logger):
        nets = self._networks()
        observation = ddpg_learning.to_sonnet_module(tf.identity)
        return d4pg.builder.make_learner(
            nets['policy'], nets['critic'], copy.deepcopy(nets['policy']),
            copy.deepcopy(nets['critic']),
            d4pg.builder.make_dataset(server_address, self.config), self.config,
            observation_network=observation,
            target_observation_network=copy.deepcopy(observation),
            counter=counter, logger=logger, checkpoint=False)

    def make_actor(self, server_address, variable_source, index):
        sigma = self.actor_exploration(index)
        adder = d4pg.builder.make_adder(reverb.Client(server_address), self.config,
                                        self.program.num_envs)
        return d4pg.builder.make_actor(
            self._actor_policy(), self.environment_spec,
            self.config.sigma if sigma is None else sigma, adder=adder,
            variable_source=variable_source,
            variable_update_period=self.program.variable_update_period,
            batched=self.batched)

    def make_evaluation_actor(self, variable_source):
        return d4pg.builder.make_evaluation_actor(self._actor_policy(),
                                                  variable_source=variable_source)


class SACRecipe(Recipe):
    """SAC: a uniform n-step table; actors sample the policy, the evaluator takes its mode."""

    config_class = sac_config.SACConfig

    def _networks(self) -> Dict[str, Any]:
        return sac.make_networks(self.environment_spec, **self.network_kwargs)

    def _actor_policy(self) -> snt.Module:
        policy = self._networks()['policy']
        _build_on_cpu(policy, self.environment_spec.observations)
        return policy

    def replay_tables(self):
        return [sac.builder.make_replay_table(self.environment_spec, self.config,
                                              blocking_inserts=True)]

    def make_learner(self, server_address, counter, logger):
        nets = self._networks()
        critics = list(nets['critics'])
        return sac.builder.make_learner(
            nets['policy'], critics, [copy.deepcopy(c) for c in critics],
            sac.builder.make_dataset(server_address, self.config),
            self.environment_spec, self.config, counter=counter, logger=logger,
            checkpoint=False)

    def make_actor(self, server_address, variable_source, index):
        adder = sac.builder.make_adder(reverb.Client(server_address), self.config,
                                       self.program.num_envs)
        return sac.builder.make_actor(
            self._actor_policy(), self.environment_spec, adder,
            variable_source=variable_source,
            variable_update_period=self.program.variable_update_period,
            batched=self.batched)

    def make_evaluation_actor(self, variable_source):
        return sac.builder.make_actor(self._actor_policy(), self.environment_spec,
                                      variable_source=variable_source, greedy=True)


class IMPALARecipe(Recipe):
    """IMPALA: actors write sequences (with the behaviour policy's
    log-probabilities) into a FIFO queue; the learner corrects the policy lag
    with V-trace, which is what makes many actors safe."""

    config_class = impala_config.IMPALAConfig
    supports_num_envs = False

    def _network(self) -> snt.Module:
        return impala.make_network(self.environment_spec, **self.network_kwargs)

    def _actor_network(self) -> snt.Module:
        network = self._network()
        with tf.device('/CPU:0'):
            on_policy_builder._build_actor_variables(network, self.environment_spec)
        return network

    def replay_tables(self):
        network = self._network()
        return [impala.builder.make_queue_table(
            self.environment_spec, self.config,
            impala.builder.make_extras_spec(network))]

    def make_learner(self, server_address, counter, logger):
        return impala.builder.make_learner(
            self._network(), impala.builder.make_dataset(server_address, self.config),
            self.config, counter=counter, logger=logger, checkpoint=False)

    def make_actor(self, server_address, variable_source, index):
        adder = impala.builder.make_adder(reverb.Client(server_address), self.config)
        return impala.builder.make_actor(
            self._actor_network(), self.environment_spec, adder,
            variable_source=variable_source,
            variable_update_period=self.program.variable_update_period)

    def make_evaluation_actor(self, variable_source):
        from troupe.agents.registry import evaluation
        from troupe.components import actors
        from troupe.components.variables import VariableClient
        network = self._actor_network()
        client = VariableClient(variable_source,
                                {'policy': network.trainable_variables})
        dtype = self.environment_spec.actions.dtype
        if on_policy_builder.is_recurrent(network):
            return actors.RecurrentActor(
                evaluation.GreedyRecurrentLogits(network, dtype),
                variable_client=client, store_recurrent_state=False)
        return actors.FeedForwardActor(evaluation.GreedyLogits(network, dtype),
                                       variable_client=client)


RECIPES: Dict[str, type] = {
    'dqn': DQNRecipe, 'd4pg': D4PGRecipe, 'sac': SACRecipe, 'impala': IMPALARecipe}


def batched_agents() -> List[str]:
    return [name for name, recipe in RECIPES.items() if recipe.supports_num_envs]


def make_recipe(program: ProgramConfig) -> Recipe:
    """The recipe of `program.agent`; a ValueError lists the distributed agents."""
    if program.agent not in RECIPES:
        raise ValueError(f'{program.agent!r} has no distributed version. Distributed '
                         f'agents: {", ".join(RECIPES)}.')
    return RECIPES[program.agent](program)


def count_env_steps(step_type) -> int:
    """Env steps in an observe: 1, or a batch's copies that did not just reset."""
    if tree.is_nested(step_type) or getattr(step_type, 'shape', ()) == ():
        return 1
    return int((step_type != _FIRST).sum())
