"""How each command-line agent is built from its hyperparameters.

A builder returns a `BuiltAgent`: the actor the training loop runs (it acts and
learns), a factory of evaluation actors (greedy, no exploration, no replay), and
the objects a `Checkpointer` saves, so that another process can rebuild the same
agent and restore them. Agents are built with `checkpoint=False`: the command
line checkpoints those objects itself (see `troupe.cli.rundir`).

`build(entry, ..., num_envs=N)` builds the agents of `NUM_ENVS_AGENTS` to act
on a `BatchedEnvironment` of N copies (`troupe train --num-envs N`); their
evaluation actors still act on one environment.
"""

import dataclasses
from typing import Any, Callable, Dict, Mapping, Optional, Sequence

import sonnet as snt
import tree

from troupe import core, specs
from troupe.agents import d4pg, ddpg, dqn, nfq, sac, tabular, td3
from troupe.agents.registry import evaluation
from troupe.components import actors, loggers


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
    """
    actor: core.Actor
    make_evaluation_actor: Callable[[], core.Actor]
    checkpoint_objects: Mapping[str, Any]
    learner: Optional[core.Learner] = None
    close: Callable[[], None] = lambda: None

    @property
    def learner_updates(self) -> Optional[int]:
        """The learner's update count, when it reports one."""
        updates = getattr(self.learner, 'num_updates', None)
        return None if updates is None else int(updates)


# (environment spec, agent kwargs, network kwargs, learner logger, seed) -> agent.
Builder = Callable[[specs.EnvironmentSpec, Dict[str, Any], Dict[str, Any],
                    loggers.Logger, int], BuiltAgent]


# The agents that take `num_envs` (a batched actor and adder): their builders
# pass it on to the agent (`RandomActor` for 'random').
NUM_ENVS_AGENTS: Sequence[str] = ('dqn', 'ddpg', 'd4pg', 'td3', 'sac', 'random')


def check_num_envs(agent: str, num_envs) -> None:
    """Raises a ValueError unless `agent` can act on `num_envs` copies."""
    if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
        raise ValueError(f'num_envs must be an integer >= 1, got {num_envs!r}.')
    if agent not in NUM_ENVS_AGENTS:
        raise ValueError(
            f'{agent} cannot act on a batch of environments (--num-envs '
            f'{num_envs}): it acts on one environment at a time. Agents that '
            f'take --num-envs: {", ".join(NUM_ENVS_AGENTS)}.')


def build(entry, spec: specs.EnvironmentSpec, hyperparameters: Mapping[str, Any],
          logger: Optional[loggers.Logger] = None, seed: int = 0,
          num_envs: Optional[int] = None) -> BuiltAgent:
    """`entry.build(...)` (an `AgentEntry`), acting on a `BatchedEnvironment` of
    `num_envs` copies when that is given.

    `num_envs` is not a hyperparameter (it changes how the agent acts, not
    what it learns from its env steps), so it bypasses `entry.resolve` and goes
    to the builder with the agent's keyword arguments.

    Raises:
      ValueError: when `num_envs` is given for an agent outside
        `NUM_ENVS_AGENTS`, or is not an integer >= 1.
    """
    if num_envs is None:
        return entry.build(spec, hyperparameters, logger, seed)
    check_num_envs(entry.name, num_envs)
    build_fn = entry.build_fn

    def build_batched(spec, agent_kw, net_kw, logger, seed) -> BuiltAgent:
        return build_fn(spec, dict(agent_kw, num_envs=num_envs), net_kw, logger, seed)

    return dataclasses.replace(entry, build_fn=build_batched).build(
        spec, hyperparameters, logger, seed)


def schedule(value, schedule_class):
    """A [start, end, steps] list as a schedule; a number stays a number."""
    if isinstance(value, (list, tuple)):
        return schedule_class(float(value[0]), float(value[1]), int(value[2]))
    return value


def _is_image(spec) -> bool:
    return not tree.is_nested(spec) and len(getattr(spec, 'shape', ())) == 3


def build_dqn(spec, agent_kw, net_kw, logger, seed) -> BuiltAgent:
    del seed
    agent_kw['epsilon'] = schedule(agent_kw['epsilon'], dqn.LinearEpsilon)
    network = (dqn.make_atari_network(spec) if _is_image(spec.observations)
               else dqn.make_mlp_network(spec, **net_kw))
    agent = dqn.DQN(spec, network, logger=logger, checkpoint=False, **agent_kw)
    return BuiltAgent(agent, lambda: dqn.builder.make_evaluation_actor(network, spec),
                      agent.learner.state, agent.learner, agent.close)


def build_nfq(spec, agent_kw, net_kw, logger, seed) -> BuiltAgent:
    del seed
    network = dqn.make_mlp_network(spec, **net_kw)
    agent = nfq.NFQ(spec, network, logger=logger, checkpoint=False, **agent_kw)
    # NFQLearner exposes no `state`: the network is what evaluation needs.
    return BuiltAgent(agent, lambda: dqn.builder.make_evaluation_actor(network, spec),
                      {'network': network}, agent.learner, agent.close)


def on_policy_builder(agent_class, make_network) -> Builder:
    """REINFORCE, A2C and IMPALA: `make_network(spec, **network kwargs)`."""
    def build(spec, agent_kw, net_kw, logger, seed) -> BuiltAgent:
        del seed
        network = make_network(spec, **net_kw)
        agent = agent_class(spec, network, logger=logger, checkpoint=False, **agent_kw)

        def evaluation_actor() -> core.Actor:
            if isinstance(network, snt.RNNCore):
                return actors.RecurrentActor(
                    evaluation.GreedyRecurrentLogits(network, spec.actions.dtype),
                    store_recurrent_state=False)
            return actors.FeedForwardActor(evaluation.GreedyLogits(network, spec.actions.dtype))

        return BuiltAgent(agent, evaluation_actor, agent.learner.state, agent.learner,
                          agent.close)
    return build


def deterministic_builder(name: str) -> Builder:
    """DDPG, D4PG and TD3: default networks of the given sizes."""
    def build(spec, agent_kw, net_kw, logger, seed) -> BuiltAgent:
        if name == 'ddpg':
            nets = ddpg.make_default_networks(spec.actions, **net_kw)
            agent = ddpg.DDPG(spec, nets['policy'], nets['critic'], logger=logger,
                              checkpoint=False, **agent_kw)
        elif name == 'd4pg':
            nets = d4pg.make_default_networks(spec.actions, **net_kw)
            agent = d4pg.D4PG(spec, nets['policy'], nets['critic'], logger=logger,
                              checkpoint=False, **agent_kw)
        else:
            nets = td3.make_default_networks(spec.actions, **net_kw)
            agent = td3.TD3(spec, nets['policy'], nets['critic'], nets['twin_critic'],
                            logger=logger, checkpoint=False, seed=seed, **agent_kw)
        return BuiltAgent(agent, agent.make_evaluation_actor, agent.learner.state,
                          agent.learner, agent.close)
    return build


def build_sac(spec, agent_kw, net_kw, logger, seed) -> BuiltAgent:
    nets = sac.make_networks(spec, **net_kw)
    agent = sac.SAC(spec, nets['policy'], nets['critics'], logger=logger,
                    checkpoint=False, seed=seed, **agent_kw)
    return BuiltAgent(agent, agent.make_evaluation_actor, agent.learner.state,
                      agent.learner, agent.close)


def tabular_builder(agent_class) -> Builder:
    def build(spec, hp, net_kw, logger, seed) -> BuiltAgent:
        del net_kw, logger
        hp = dict(hp)
        hp['epsilon'] = schedule(hp['epsilon'], tabular.LinearSchedule)
        agent = agent_class(spec, seed=seed, **hp)
        table = evaluation.TableState(agent)
        return BuiltAgent(agent, lambda: evaluation.GreedyTableActor(table.q_values),
                          {'q_values': table})
    return build


def build_random(spec, agent_kw, net_kw, logger, seed) -> BuiltAgent:
    del net_kw, logger
    actor = actors.RandomActor(spec.actions, seed=seed,
                               num_envs=agent_kw.get('num_envs'))
    return BuiltAgent(actor, lambda: actors.RandomActor(spec.actions, seed=seed + 1),
                      {})
