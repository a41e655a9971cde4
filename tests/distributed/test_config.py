"""The distributed runtime's settings and agent parts, checked without Ray."""

import pytest

from troupe.agents import registry
from troupe.distributed import ProgramConfig, StopConditions
from troupe.distributed import parts


def dqn_program(**kwargs):
    return ProgramConfig('dqn', 'cartpole', registry.get('dqn').resolve('cartpole', {}),
                         **kwargs)


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_envs=0), 'num_envs must be None or an integer >= 1, got 0'),
    (dict(variable_update_period=0), 'variable_update_period must be an integer >= 1'),
    (dict(checkpoint_minutes=-1), 'checkpoint_minutes must be a positive number'),
    (dict(evaluation_episodes=-2), 'evaluation_episodes must be an integer >= 0'),
])
def test_program_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dqn_program(**kwargs)


def test_stop_conditions():
    with pytest.raises(ValueError, match='needs a stop condition'):
        StopConditions()
    with pytest.raises(ValueError, match='max_seconds must be a positive number'):
        StopConditions(max_seconds=0)
    stop = StopConditions(max_actor_steps=100, max_learner_steps=10, max_seconds=60)
    assert stop.reached(99, 9, 59.0) is None
    assert stop.reached(100, 0, 0.0) == '100 actor steps (max 100)'
    assert stop.reached(0, 12, 0.0) == '12 learner steps (max 10)'
    assert stop.reached(0, 0, 61.0) == '61 s (max 60)'


def test_seeds_differ_per_actor():
    program = dqn_program(seed=3)
    seeds = {program.actor_seed(i) for i in range(8)} | {program.evaluator_seed}
    assert len(seeds) == 9


def test_agent_parts_name_the_distributed_agents():
    program = ProgramConfig('q_learning', 'gridworld/simple',
                            registry.get('q_learning').resolve('gridworld/simple', {}))
    with pytest.raises(ValueError, match="'q_learning' has no distributed version "
                                         r'\(it has no learner\). Distributed agents: '
                                         'dqn, bootstrapped_dqn, nfq, reinforce, a2c, impala, '
                                         'ddpg, d4pg, td3, sac, maddpg.'):
        parts.AgentParts(program)


def test_recipe_checks_the_action_spec():
    program = ProgramConfig('dqn', 'pendulum', registry.get('dqn').defaults())
    with pytest.raises(ValueError, match="dqn cannot act in 'pendulum'"):
        parts.AgentParts(program)


def test_impala_actors_are_not_batched():
    program = ProgramConfig('impala', 'cartpole',
                            registry.get('impala').resolve('cartpole', {}), num_envs=4)
    with pytest.raises(ValueError, match='impala actors act in one environment each; '
                                         'num_envs=4 is for agents with batched'):
        parts.AgentParts(program)


def test_actor_exploration_only_where_it_means_something():
    program = ProgramConfig('sac', 'pendulum', registry.get('sac').resolve('pendulum', {}),
                            actor_exploration=[0.1])
    with pytest.raises(ValueError, match=r'sac has no per-actor exploration setting; '
                                         r'actor_exploration is for dqn \(epsilon\), '
                                         r'bootstrapped_dqn \(epsilon\), nfq \(epsilon\), '
                                         r'ddpg \(sigma\)'):
        parts.AgentParts(program)


def test_dqn_parts_read_the_schedule_from_json():
    recipe = parts.AgentParts(dqn_program())
    assert recipe.config.epsilon(0) == 1.0
    assert recipe.config.epsilon(10 ** 9) == pytest.approx(0.04)
    assert (recipe.config.hidden_sizes, recipe.config.dueling) == ((256, 256), False)


def test_actor_exploration_per_actor():
    recipe = parts.AgentParts(dqn_program(actor_exploration=[0.4, 0.01]))
    assert recipe.actor_exploration(0) == 0.4
    assert recipe.actor_exploration(1) == 0.01
    with pytest.raises(ValueError, match='actor_exploration has 2 values, but actor 2'):
        recipe.actor_exploration(2)


def test_replay_tables_block_inserts_for_the_learner():
    """In a distributed program the rate limiter must hold actors back when the
    learner lags, so the DQN table limits samples per insert both ways."""
    (table,) = parts.AgentParts(dqn_program()).replay_tables()
    info = table.info
    limiter = info.rate_limiter_info
    assert info.max_size == 100_000
    assert limiter.samples_per_insert == 32.0
    # A finite error buffer on both sides: inserts block too.
    assert limiter.max_diff - limiter.min_diff < 1e9
