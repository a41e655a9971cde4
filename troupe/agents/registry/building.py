"""Builds a command-line agent from its entry and config.

An agent with a builder becomes a `LocalAgent` of that builder: the same
assembly as its Python class (`dqn.DQN`, ...). The result is a `BuiltAgent`:
the actor the training loop runs (it acts and learns), a factory of evaluation
actors (greedy, no exploration, no replay), and the objects a `Checkpointer`
saves, so that another process can rebuild the same agent and restore them.
"""

import dataclasses
from typing import Any, Callable, Mapping, Optional

from troupe import core, specs
from troupe.agents import configs, local
from troupe.agents.registry import evaluation
from troupe.agents.registry.entries import AgentEntry
from troupe.components import actors, loggers
from troupe import errors


@dataclasses.dataclass
class BuiltAgent:
    """An agent ready for an `EnvironmentLoop`, and what evaluation needs.

    Attributes:
      actor: acts and learns (the object the training loop runs).
      make_evaluation_actor: returns an actor that follows the greedy or
        evaluation policy, learns nothing and writes no replay.
      checkpoint_objects: name -> TF trackable or `troupe.Saveable`; what a
        `savers.Checkpointer` saves and restores ({} when nothing learns).
      learner: the learner, if the agent has one.
      close: stops the agent's servers.
      run_state: name -> trackable or Saveable; what a whole-run checkpoint
        saves beyond `checkpoint_objects` (the acting side's schedules).
      replay_client: a client of the agent's replay server, if it has one.
      flush_replay_writes: blocks until the actor's writes are in the replay.
    """
    actor: core.Actor
    make_evaluation_actor: Callable[[], core.Actor]
    checkpoint_objects: Mapping[str, Any]
    learner: Optional[core.Learner] = None
    close: Callable[[], None] = lambda: None
    run_state: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    replay_client: Any = None
    flush_replay_writes: Callable[[], None] = lambda: None

    @property
    def learner_updates(self) -> Optional[int]:
        """The learner's update count, when it reports one."""
        updates = getattr(self.learner, 'num_updates', None)
        return None if updates is None else int(updates)


def check_num_envs(entry: AgentEntry, num_envs) -> None:
    """Raises a ValueError unless `entry`'s agent can act on `num_envs` copies."""
    if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
        raise errors.InvalidInput(f'num_envs must be an integer >= 1, got {num_envs!r}.')
    if not entry.batched_acting:
        from troupe.agents.registry.entries import AGENTS
        batched = [name for name, e in AGENTS.items() if e.batched_acting]
        raise errors.InvalidInput(
            f'{entry.name} cannot act on a batch of environments (--num-envs '
            f'{num_envs}): it acts on one environment at a time. Agents that '
            f'take --num-envs: {", ".join(batched)}.')


def build(entry: AgentEntry, spec: specs.EnvironmentSpec, config: configs.AgentConfig,
          logger: Optional[loggers.Logger] = None,
          num_envs: Optional[int] = None, replay_checkpointer=None) -> BuiltAgent:
    """`entry`'s agent for `spec` with `config` (acting on a `BatchedEnvironment`
    of `num_envs` copies when that is given; its evaluation actors act on one).
    `replay_checkpointer` is the Reverb checkpointer of its replay server, if any.

    Raises:
      ValueError: when the agent cannot act in `spec` or on `num_envs` copies.
    """
    if num_envs is not None:
        check_num_envs(entry, num_envs)
    logger = logger if logger is not None else loggers.NoOpLogger()
    if entry.builder_class is not None:
        agent = local.LocalAgent(entry.make_builder(config), spec, num_envs=num_envs,
                                 logger=logger, replay_checkpointer=replay_checkpointer)
        return BuiltAgent(agent, agent.make_evaluation_actor, dict(agent.learner.state),
                          agent.learner, agent.close,
                          run_state={'acting': agent.acting_state},
                          replay_client=agent.replay_client,
                          flush_replay_writes=agent.flush_replay_writes)
    if entry.actor_class is not None:  # A tabular agent.
        values = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
        agent = entry.actor_class(spec, **values)
        table = evaluation.TableState(agent)
        return BuiltAgent(agent, lambda: evaluation.GreedyTableActor(table.q_values),
                          {'q_values': table})
    seed = config.seed or 0  # The random baseline.
    actor = actors.RandomActor(spec.actions, seed=seed, num_envs=num_envs)
    return BuiltAgent(actor, lambda: actors.RandomActor(spec.actions, seed=seed + 1), {})
