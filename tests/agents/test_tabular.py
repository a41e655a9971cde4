"""Tabular agents: each update rule on a two-state MDP with hand-computed values,
exploration schedules, planners (by hand and on the grid-worlds), small learning
runs through the EnvironmentLoop, and bad input."""

import dm_env
import numpy as np
import pytest

import troupe
from troupe import specs
from troupe.agents import tabular
from troupe.agents.tabular import planning
from troupe.components import loggers
from troupe.environments import ObservationType, TabularModel, build_gridworld_task, make

# A two-state, two-action MDP fed by hand: observations and actions are indices.
SPEC = specs.EnvironmentSpec(
        observations=specs.DiscreteArray(2, dtype=np.int64),
        actions=specs.DiscreteArray(2, dtype=np.int64),
        rewards=specs.Array((), np.float64),
        discounts=specs.BoundedArray((), np.float64, 0.0, 1.0))
Q0 = np.array([[1.0, 2.0], [3.0, 4.0]])


def _first(state):
    return dm_env.restart(np.int64(state))


def _mid(reward, state, discount=0.9):
    return dm_env.transition(reward, np.int64(state), discount)


def _end(reward, state):
    return dm_env.termination(reward, np.int64(state))


# Update rules, by hand.

def test_q_learning_update():
    agent = tabular.QLearning(SPEC, step_size=0.5, discount=0.5, initial_q_values=Q0)
    agent.observe_first(_first(0))
    # target = 1 + 0.5 * 0.9 * max(3, 4) = 2.8; Q = 1 + 0.5 * (2.8 - 1).
    agent.observe(np.int64(0), _mid(1.0, 1))
    assert agent.q_values[0, 0] == pytest.approx(1.9)
    # Termination: target = 2; Q = 4 + 0.5 * (2 - 4).
    agent.observe(np.int64(1), _end(2.0, 0))
    np.testing.assert_allclose(agent.q_values, [[1.9, 2.0], [3.0, 3.0]])


def test_sarsa_updates_with_the_action_it_then_takes():
    agent = tabular.Sarsa(SPEC, epsilon=1.0, step_size=0.5, discount=0.5,
                          initial_q_values=Q0, seed=0)
    agent.observe_first(_first(0))
    agent.observe(np.int64(0), _mid(1.0, 1))
    # With seed 0 the random next action is 0 (not the greedy 1): target =
    # 1 + 0.45 * Q(1, 0) = 2.35; Q(0, 0) = 1 + 0.5 * (2.35 - 1) = 1.675.
    assert agent.select_action(np.int64(1)) == 0
    assert agent.q_values[0, 0] == pytest.approx(1.675)
    agent.observe(np.int64(0), _end(2.0, 0))
    # Q(1, 0) = 3 + 0.5 * (2 - 3).
    np.testing.assert_allclose(agent.q_values, [[1.675, 2.0], [2.5, 4.0]])



@pytest.mark.parametrize('seed', range(6))
def test_sarsa_takes_the_next_action_its_update_used(seed):
    agent = tabular.Sarsa(SPEC, epsilon=1.0, step_size=0.5, discount=0.5,
                          initial_q_values=Q0, seed=seed)
    agent.observe_first(_first(0))
    agent.observe(np.int64(0), _mid(1.0, 1))
    taken = agent.select_action(np.int64(1))
    assert agent.q_values[0, 0] == pytest.approx(1.0 + 0.5 * 0.45 * Q0[1, taken])

def test_expected_sarsa_update():
    agent = tabular.ExpectedSarsa(SPEC, epsilon=0.2, step_size=0.5, discount=0.5,
                                  initial_q_values=Q0)
    agent.observe_first(_first(0))
    agent.observe(np.int64(0), _mid(1.0, 1))
    # E[Q(1, .)] = 0.8 * 4 + 0.2 * 3.5 = 3.9; target = 1 + 0.45 * 3.9 = 2.755.
    assert agent.q_values[0, 0] == pytest.approx(1.0 + 0.5 * 1.755)


def test_td0_policy_evaluation():
    agent = tabular.TDPolicyEvaluation(SPEC, policy=np.array([1, 0]), step_size=0.5)
    for _ in range(2):
        agent.observe_first(_first(0))
        assert agent.select_action(np.int64(0)) == 1
        agent.observe(np.int64(1), _mid(1.0, 1))
        assert agent.select_action(np.int64(1)) == 0
        agent.observe(np.int64(0), _end(2.0, 0))
    # Episode 1: V0 = 0.5 * 1 = 0.5, V1 = 0.5 * 2 = 1.
    # Episode 2: V0 = 0.5 + 0.5 * (1 + 0.9 * 1 - 0.5) = 1.2, V1 = 1 + 0.5 * (2 - 1).
    np.testing.assert_allclose(agent.state_values, [1.2, 1.5])
    np.testing.assert_allclose(agent.q_values, [[0.0, 1.2], [1.5, 0.0]])


def _loop_episode(agent):
    """s0 -a0-> s0 (r 1) -a0-> s1 (r 0) -a1-> end (r 2); returns 2.62, 1.8, 2."""
    agent.observe_first(_first(0))
    agent.observe(np.int64(0), _mid(1.0, 0))
    agent.observe(np.int64(0), _mid(0.0, 1))
    np.testing.assert_array_equal(agent.q_values, np.zeros((2, 2)))  # Not yet.
    agent.observe(np.int64(1), _end(2.0, 0))


def test_first_visit_monte_carlo():
    agent = tabular.MonteCarloControl(SPEC)
    _loop_episode(agent)
    np.testing.assert_allclose(agent.q_values, [[2.62, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(agent.visit_counts, [[1, 0], [0, 1]])


def test_every_visit_monte_carlo_averages_and_step_size():
    averaging = tabular.MonteCarloControl(SPEC, first_visit=False)
    _loop_episode(averaging)
    np.testing.assert_allclose(averaging.q_values, [[(2.62 + 1.8) / 2, 0.0], [0.0, 2.0]])
    constant = tabular.MonteCarloControl(SPEC, first_visit=False, step_size=0.5)
    _loop_episode(constant)
    # 0 -> 1.31 -> 1.31 + 0.5 * (1.8 - 1.31).
    np.testing.assert_allclose(constant.q_values, [[1.555, 0.0], [0.0, 1.0]])


def test_monte_carlo_bootstraps_a_truncated_episode():
    agent = tabular.MonteCarloControl(SPEC, initial_q_values=Q0)
    agent.observe_first(_first(0))
    agent.observe(np.int64(1), dm_env.truncation(1.0, np.int64(1), 1.0))
    # G = 1 + 1.0 * max Q(1, .) = 5, the first return for (0, 1).
    np.testing.assert_allclose(agent.q_values, [[1.0, 5.0], [3.0, 4.0]])


def test_q_learning_with_replay_repeats_stored_updates():
    agent = tabular.QLearningWithReplay(SPEC, step_size=0.5, num_offline_updates=2,
                                        replay_capacity=1, seed=0)
    agent.observe_first(_first(0))
    agent.observe(np.int64(0), _end(1.0, 0))
    # One online and two replayed updates of the only stored transition.
    assert agent.q_values[0, 0] == pytest.approx(0.875)
    agent.observe_first(_first(1))
    agent.observe(np.int64(1), _end(2.0, 0))
    assert len(agent.buffer) == 1  # The ring buffer kept the newest only.
    assert agent.q_values[0, 0] == pytest.approx(0.875)
    assert agent.q_values[1, 1] == pytest.approx(1.75)


def test_random_agent_learns_nothing_and_tries_every_action():
    agent = tabular.RandomAgent(SPEC, seed=0)
    agent.observe_first(_first(0))
    actions = {agent.select_action(np.int64(0)) for _ in range(50)}
    agent.observe(np.int64(1), _end(5.0, 0))
    assert actions == {0, 1}
    np.testing.assert_array_equal(agent.q_values, np.zeros((2, 2)))
    assert agent.epsilon == 1.0


def test_q_table_is_readable_not_writable():
    agent = tabular.QLearning(SPEC, initial_q_values=Q0)
    np.testing.assert_array_equal(agent.greedy_policy(), [1, 1])
    with pytest.raises(ValueError):
        agent.q_values[0, 0] = 7.0


# Exploration.

def test_linear_schedule_and_epsilon_greedy():
    schedule = tabular.LinearSchedule(1.0, 0.1, 10)
    assert [schedule(t) for t in (0, 5, 10, 20)] == pytest.approx([1.0, 0.55, 0.1, 0.1])
    policy = tabular.EpsilonGreedy(4, schedule, seed=0)
    for _ in range(5):
        policy(np.zeros(4))
    assert policy.steps == 5 and policy.epsilon == pytest.approx(0.55)
    np.testing.assert_allclose(policy.probabilities(np.array([0.0, 3.0, 1.0, 3.0])),
                               [0.1375, 0.5875, 0.1375, 0.1375])
    greedy = tabular.EpsilonGreedy(4, 0.0)
    assert [greedy(np.array([0.0, 3.0, 1.0, 3.0])) for _ in range(3)] == [1, 1, 1]


def test_scheduled_epsilon_drives_the_agent():
    agent = tabular.QLearning(SPEC, epsilon=tabular.LinearSchedule(1.0, 0.0, 4))
    for _ in range(2):
        agent.select_action(np.int64(0))
    assert agent.epsilon == pytest.approx(0.5)


# Planners.

def _two_state_model():
    """s0: a0 stays (r 0), a1 -> s1 (r 1); s1: a0 -> s0 (r 0), a1 ends (r 5)."""
    transitions = np.zeros((2, 2, 2))
    transitions[0, 0, 0] = transitions[0, 1, 1] = transitions[1, 0, 0] = 1.0
    transitions[1, 1, 0] = 1.0
    rewards = np.array([[0.0, 1.0], [0.0, 5.0]])
    discounts = np.array([[0.9, 0.9], [0.9, 0.0]])
    return TabularModel(np.arange(2), transitions, rewards, discounts)


def test_planners_on_two_states():
    model = _two_state_model()
    # V1 = 5 and V0 = 1 + 0.9 * 5 = 5.5; Q(s, a0) = 0.9 * 5.5.
    q = planning.value_iteration(model)
    np.testing.assert_allclose(q, [[4.95, 5.5], [4.95, 5.0]], atol=1e-9)
    result = planning.policy_iteration(model)
    np.testing.assert_array_equal(result.policy, [1, 1])
    np.testing.assert_allclose(result.values, [5.5, 5.0], atol=1e-9)
    # With the planner's discount 0.5: V0 = 1 + 0.45 * 5.
    solved = planning.solve_value_iteration(model, discount=0.5)
    np.testing.assert_allclose(solved.values, [3.25, 5.0], atol=1e-9)


def test_policy_evaluation_on_two_states():
    model = _two_state_model()
    # [1, 0]: V0 = 1 + 0.9 V1 and V1 = 0.9 V0, so V0 = 1 / 0.19.
    values = planning.policy_evaluation(model, np.array([1, 0]))
    np.testing.assert_allclose(values, [1 / 0.19, 0.9 / 0.19], atol=1e-8)
    # Uniform: V1 = 0.45 V0 + 2.5 and V0 = 0.45 V0 + 0.5 + 0.45 V1.
    uniform = planning.policy_evaluation(model, np.full((2, 2), 0.5))
    v0 = 1.625 / 0.3475
    np.testing.assert_allclose(uniform, [v0, 0.45 * v0 + 2.5], atol=1e-8)


def test_planners_on_obstacle():
    env = build_gridworld_task('obstacle')
    start = 22
    solved = planning.solve_value_iteration(env.model)
    assert abs(solved.values[start] - 10 * 0.9 ** 7) < 1e-6
    iterated = planning.policy_iteration(env.model)
    np.testing.assert_array_equal(iterated.policy, solved.policy)
    assert tabular.greedy_path_length(env, solved.policy) == 8


def test_greedy_policy_ties_go_to_the_lowest_action():
    q = np.array([[1.0, 1.0 + 1e-12, 0.0], [0.0, 2.0, 2.0]])
    np.testing.assert_array_equal(planning.greedy_policy(q), [1, 1])
    np.testing.assert_array_equal(planning.greedy_policy(q, tie_tolerance=1e-8), [0, 1])


def test_planners_raise_when_values_do_not_converge():
    model = _two_state_model()
    endless = model._replace(discounts=np.ones((2, 2)), rewards=np.ones((2, 2)))
    with pytest.raises(ValueError, match='did not converge'):
        planning.value_iteration(endless, max_iterations=50)
    with pytest.raises(ValueError, match='did not converge'):
        planning.policy_evaluation(endless, np.array([0, 0]), max_iterations=50)


# Learning through the EnvironmentLoop.

def _train(agent_class, task, steps, seed=0, **kwargs):
    env = make(f'gridworld/{task}', seed=seed)
    agent = agent_class(troupe.make_environment_spec(env), seed=seed, **kwargs)
    troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger()).run(num_steps=steps)
    return agent, tabular.greedy_path_length(make(f'gridworld/{task}'), agent.greedy_policy())


@pytest.mark.parametrize('agent_class, steps, kwargs', [
    (tabular.QLearning, 10_000, {'initial_q_values': 10.0}),
    (tabular.Sarsa, 10_000, {'initial_q_values': 10.0}),
    (tabular.ExpectedSarsa, 10_000, {'initial_q_values': 10.0}),
    (tabular.QLearningWithReplay, 1_000, {'initial_q_values': 10.0}),
    (tabular.MonteCarloControl, 30_000,
     {'epsilon': tabular.LinearSchedule(1.0, 0.05, 15_000)}),
])
def test_learners_find_the_shortest_path_on_simple(agent_class, steps, kwargs):
    _, length = _train(agent_class, 'simple', steps, **kwargs)
    assert length == 5


def test_the_random_baseline_never_reaches_the_goal_greedily():
    # Its table stays at zero, so its greedy policy walks up into the wall forever.
    agent, length = _train(tabular.RandomAgent, 'simple', 1_000)
    assert length is None
    np.testing.assert_array_equal(agent.greedy_policy(), np.zeros(90, np.int64))


def test_td_evaluation_of_the_optimal_policy_matches_planning():
    env = make('gridworld/simple')
    optimal = planning.solve_value_iteration(env.model).policy
    agent, _ = _train(tabular.TDPolicyEvaluation, 'simple', 2_000, policy=optimal,
                      step_size=0.5)
    # Deterministic path of 5 steps: V(start) -> 10 * 0.9 ** 4.
    assert agent.state_values[22] == pytest.approx(10 * 0.9 ** 4, abs=1e-3)


# Bad input.

@pytest.mark.parametrize('kwargs, message', [
    ({'epsilon': -0.1}, r'epsilon must be a number in \[0, 1\], got -0.1'),
    ({'epsilon': 1.5}, r'epsilon must be a number in \[0, 1\], got 1.5'),
    ({'epsilon': tabular.LinearSchedule(1.0, 2.0, 10)},
     r'epsilon schedule end must be a number in \[0, 1\], got 2.0'),
    ({'step_size': 0.0}, r'step_size must be a number in \(0, 1\], got 0.0'),
    ({'step_size': 1.5}, r'step_size must be a number in \(0, 1\], got 1.5'),
    ({'discount': -0.5}, r'discount must be a number in \[0, 1\], got -0.5'),
    ({'discount': 1.1}, r'discount must be a number in \[0, 1\], got 1.1'),
    ({'initial_q_values': np.zeros((3, 2))},
     r'initial_q_values must have shape \(2, 2\), got \(3, 2\)'),
])
def test_bad_hyperparameters_name_the_parameter_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tabular.QLearning(SPEC, **kwargs)


def test_bad_replay_and_policy_arguments():
    with pytest.raises(ValueError, match=r'num_offline_updates must be an int >= 0, got -1'):
        tabular.QLearningWithReplay(SPEC, num_offline_updates=-1)
    with pytest.raises(ValueError, match=r'replay_capacity must be an int >= 1, got 0'):
        tabular.QLearningWithReplay(SPEC, replay_capacity=0)
    with pytest.raises(ValueError, match=r'action indices in \[0, 2\)'):
        tabular.TDPolicyEvaluation(SPEC, policy=np.array([0, 2]))
    with pytest.raises(ValueError, match=r'LinearSchedule decay_steps must be an integer >= 1, got 0'):
        tabular.LinearSchedule(1.0, 0.0, 0)
    with pytest.raises(ValueError, match=r'discount must be a number in \[0, 1\]'):
        planning.value_iteration(_two_state_model(), discount=2.0)


def test_a_custom_schedule_out_of_range_raises_when_used():
    class Growing(tabular.Schedule):
        def __call__(self, step):
            return 0.5 * step

    agent = tabular.QLearning(SPEC, epsilon=Growing())
    for _ in range(3):  # Epsilon 0, 0.5 and 1 are fine.
        agent.select_action(np.int64(0))
    with pytest.raises(ValueError, match=r'gave 1.5 at step 3; expected a value in'):
        agent.select_action(np.int64(0))


def test_non_discrete_specs_are_rejected():
    onehot = build_gridworld_task('simple', observation_type=ObservationType.AGENT_ONEHOT)
    with pytest.raises(TypeError, match=r'QLearning needs a DiscreteArray observations '
                                        r'spec \(for GridWorld use ObservationType'):
        tabular.QLearning(troupe.make_environment_spec(onehot))
    continuous = SPEC._replace(actions=specs.BoundedArray((1,), np.float32, -1.0, 1.0))
    with pytest.raises(TypeError, match=r'Sarsa needs a DiscreteArray actions spec'):
        tabular.Sarsa(continuous)


def test_out_of_range_observation_is_rejected_at_episode_start():
    agent = tabular.QLearning(SPEC)
    with pytest.raises(ValueError, match=r'got observation 5; expected a state index '
                                         r'in \[0, 2\)'):
        agent.observe_first(_first(5))
