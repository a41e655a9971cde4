"""One agent's parts on the nodes of a distributed program, made by its builder.

Every node rebuilds `AgentParts(program)` and asks for its own part only: the
replay node the tables, the learner node the learner, an actor node one actor,
the evaluator the evaluation actor. The parts come from the agent's builder,
the same one the single-process agent and `troupe train` use, so any agent with
a builder runs distributed. Actor nodes hide the GPUs and build on the CPU;
their networks are their own, refreshed from the learner.
"""

import functools
from typing import Any, Dict, List, Optional

import dm_env
import reverb
import tensorflow as tf

from troupe import core, errors, specs
from troupe.agents import registry
from troupe.components import counting, loggers
from troupe.distributed.config import ProgramConfig
from troupe.environments.batched import BatchedEnvironment


def make_agent_environment(seed: int, name: str, kwargs: Dict[str, Any]
                           ) -> dm_env.Environment:
    """One environment as the command line's agents see it (module level, so a
    `BatchedEnvironment` can build copies in worker processes)."""
    return registry.make_environment(name, seed, kwargs)


def distributed_agents() -> List[str]:
    """The agents `troupe train --distributed` runs: those with a builder."""
    return [name for name, entry in registry.AGENTS.items() if entry.distributed]


class AgentParts:
    """The parts of `program.agent` (see the module docstring).

    Raises (on construction, so the driver reports bad settings before any
    node starts):
      InvalidInput: for an agent without a builder, an environment it cannot
        act in, `num_envs` for an agent that acts in one environment, or
        per-actor exploration for an agent without an exploration setting.
    """

    def __init__(self, program: ProgramConfig):
        self.program = program
        entry = registry.get(program.agent)
        if not entry.distributed:
            raise errors.InvalidInput(
                f'{program.agent!r} has no distributed version (it has no learner). '
                f'Distributed agents: {", ".join(distributed_agents())}.')
        self.config = entry.config_from_json(program.hyperparameters)
        self.builder = entry.make_builder(self.config)
        environment = make_agent_environment(program.seed, program.env,
                                             dict(program.env_kwargs))
        try:
            self.environment_spec = specs.make_environment_spec(environment)
        finally:
            environment.close()
        entry.check_can_act(program.env, self.environment_spec)
        if program.num_envs is not None and not self.builder.batched_acting:
            raise errors.InvalidInput(
                f'{program.agent} actors act in one environment each; num_envs='
                f'{program.num_envs} is for agents with batched actors: '
                f'{", ".join(n for n, e in registry.AGENTS.items() if e.distributed and e.batched_acting)}.')
        if (program.actor_exploration is not None
                and self.builder.exploration_field is None):
            raise errors.InvalidInput(
                f'{program.agent} has no per-actor exploration setting; '
                'actor_exploration is for ' + ', '.join(
                    f'{name} ({e.builder_class.exploration_field})'
                    for name, e in registry.AGENTS.items()
                    if e.distributed and e.builder_class.exploration_field) + '.')

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

    def actor_exploration(self, index: int) -> Optional[float]:
        """Actor `index`'s exploration value, or None for the config's."""
        values = self.program.actor_exploration
        if values is None:
            return None
        if index >= len(values):
            raise errors.InvalidInput(
                f'actor_exploration has {len(values)} values, but actor {index} '
                'needs one (give one per actor).')
        return float(values[index])

    # The parts.
    def replay_tables(self) -> List[reverb.Table]:
        """The replay node's tables, with inserts that wait for the learner."""
        return self.builder.make_replay_tables(self.environment_spec, distributed=True)

    def make_learner(self, server_address: str, counter: counting.Counter,
                     logger: loggers.Logger) -> core.Learner:
        """The learner, sampling from the replay at `server_address`."""
        builder, spec = self.builder, self.environment_spec
        return builder.make_learner(
            builder.make_networks(spec), builder.make_dataset_iterator(server_address),
            spec, counter, logger, replay_client=reverb.Client(server_address))

    def make_actor(self, server_address: str, variable_source: core.VariableSource,
                   index: int) -> core.Actor:
        """Actor `index`: explores (with its own ε or σ if given), writes to the
        replay, and refreshes its networks from `variable_source`."""
        builder = self.builder
        exploration = self.actor_exploration(index)
        if exploration is not None:
            builder = builder.with_exploration(exploration)
        adder = builder.make_adder(reverb.Client(server_address), self.program.num_envs)
        return self._actor(builder, variable_source, adder, evaluation=False)

    def make_evaluation_actor(self, variable_source: core.VariableSource) -> core.Actor:
        """Acts with the evaluation (greedy) policy; writes nothing."""
        return self._actor(self.builder, variable_source, None, evaluation=True)

    def _actor(self, builder, variable_source, adder, evaluation: bool) -> core.Actor:
        spec = self.environment_spec
        with tf.device('/CPU:0'):
            policy = builder.make_policy(builder.make_networks(spec), spec, evaluation)
            return builder.make_actor(
                policy, spec, variable_source=variable_source, adder=adder,
                batched=self.program.num_envs is not None and not evaluation,
                variable_update_period=self.program.variable_update_period)
