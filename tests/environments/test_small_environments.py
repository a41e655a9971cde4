"""Catch, Bandit, DeepSea and the multi-agent CooperativeNavigation: specs,
reward logic, episode ends, seeding and rendering."""

import dm_env
import numpy as np
import pytest
from dm_env import specs

import troupe
from troupe.environments import (Bandit, Catch, CooperativeNavigation, DeepSea,
                                 InvalidActionError, multiagent)

LEFT, STAY, RIGHT = 0, 1, 2


def _ball_column(observation: np.ndarray) -> int:
    return int(np.argmax(observation[0]))


def test_catch_specs_and_first_board():
    env = Catch(seed=3)
    assert env.observation_spec() == specs.BoundedArray((10, 5), np.float32, 0.0, 1.0,
                                                        name='board')
    assert env.action_spec() == specs.DiscreteArray(3, dtype=np.int64, name='action')
    board = env.reset().observation
    assert board.sum() == 2.0 and board[9, 2] == 1.0 and board[0].sum() == 1.0


@pytest.mark.parametrize('seed', range(5))
def test_catch_chasing_the_ball_catches_it(seed):
    env = Catch(seed=seed)
    board = env.reset().observation
    ball = _ball_column(board)
    rewards = []
    for step in range(9):
        paddle = int(np.argmax(board[9]))
        action = STAY if paddle == ball else (RIGHT if ball > paddle else LEFT)
        timestep = env.step(action)
        board = timestep.observation
        rewards.append(timestep.reward)
        assert timestep.last() == (step == 8)
        if step < 8:
            assert board[step + 1, ball] == 1.0 and timestep.discount == 1.0
    assert rewards == [0.0] * 8 + [1.0]
    assert timestep.discount == 0.0 and env.total_regret == 0.0


def test_catch_missing_the_ball_costs_one():
    for seed in range(20):  # Find a ball that does not start above the paddle.
        env = Catch(seed=seed)
        ball = _ball_column(env.reset().observation)
        if ball != 2:
            break
    rewards = [env.step(STAY).reward for _ in range(9)]
    assert rewards == [0.0] * 8 + [-1.0]
    assert env.total_regret == 2.0


def test_catch_paddle_stops_at_the_edges():
    env = Catch(seed=0)
    env.reset()
    for _ in range(3):
        board = env.step(LEFT).observation
    assert board[9, 0] == 1.0 and board[9].sum() == 1.0


def test_catch_is_seeded():
    def columns(seed):
        env = Catch(seed=seed)
        result = []
        for _ in range(10):
            result.append(_ball_column(env.reset().observation))
        return result
    assert columns(1) == columns(1)
    assert columns(1) != columns(2)


def test_catch_render_colours_ball_and_paddle():
    env = Catch(seed=0)
    board = env.reset().observation
    image = env.render(cell_size=4)
    assert image.shape == (40, 20, 3)
    np.testing.assert_array_equal(image[1, 4 * _ball_column(board) + 1], [220, 50, 47])
    np.testing.assert_array_equal(image[37, 9], [38, 110, 210])


def test_bandit_pays_with_each_arms_probability():
    env = Bandit(probabilities=[0.0, 1.0, 0.5], seed=0)
    assert env.action_spec() == specs.DiscreteArray(3, dtype=np.int64, name='arm')
    assert env.observation_spec() == specs.Array((1,), np.float32, name='observation')
    assert env.best_arm == 1
    first = env.reset()
    np.testing.assert_array_equal(first.observation, [1.0])
    pull = env.step(1)
    assert (pull.step_type, pull.reward, pull.discount) == (dm_env.StepType.LAST, 1.0, 0.0)
    env.reset()
    assert env.step(0).reward == 0.0
    payouts = []
    for _ in range(2000):
        env.reset()
        payouts.append(env.step(2).reward)
    assert set(payouts) == {0.0, 1.0}
    assert abs(np.mean(payouts) - 0.5) < 0.05
    assert env.regret == 1.0 + 2000 * 0.5
    np.testing.assert_array_equal(env.pulls, [1, 1, 2000])


def test_bandit_probabilities_are_seeded():
    np.testing.assert_array_equal(Bandit(5, seed=4).probabilities,
                                  Bandit(5, seed=4).probabilities)
    assert Bandit(5, seed=4).probabilities.shape == (5,)
    with pytest.raises(ValueError, match=r'values in \[0, 1\]'):
        Bandit(probabilities=[0.5, 1.5])


def test_bandit_render():
    env = Bandit(probabilities=[1.0, 0.0], seed=0)
    env.reset()
    env.step(0)
    image = env.render(height=10, bar_width=10)
    assert image.shape == (10, 20, 3)
    np.testing.assert_array_equal(image[5, 4], [240, 150, 40])  # Arm 0 paid: full bar.


def test_deep_sea_all_right_finds_the_treasure():
    env = DeepSea(size=10, randomize_actions=False, seed=0)
    assert env.observation_spec() == specs.BoundedArray((10, 10), np.float32, 0.0, 1.0,
                                                        name='observation')
    observation = env.reset().observation
    assert observation[0, 0] == 1.0 and observation.sum() == 1.0
    steps = [env.step(1) for _ in range(10)]
    assert [t.reward for t in steps] == [-0.01 / 10] * 9 + [1.0 - 0.01 / 10]
    assert [t.step_type for t in steps] == [dm_env.StepType.MID] * 9 + [dm_env.StepType.LAST]
    assert steps[-1].discount == 0.0 and steps[-1].observation.sum() == 0.0
    assert steps[4].observation[5, 5] == 1.0


def test_deep_sea_left_is_free_and_stays_at_the_edge():
    env = DeepSea(size=4, randomize_actions=False, seed=0)
    env.reset()
    steps = [env.step(0) for _ in range(4)]
    assert [t.reward for t in steps] == [0.0] * 4
    assert steps[2].observation[3, 0] == 1.0


def test_deep_sea_random_mapping_is_seeded_and_followed():
    env = DeepSea(size=6, seed=5)
    right = env.right_actions
    np.testing.assert_array_equal(right, DeepSea(size=6, seed=5).right_actions)
    assert set(np.unique(right)) <= {0, 1}
    env.reset()
    total = sum(env.step(int(right[row, row])).reward for row in range(6))
    assert total == pytest.approx(env.optimal_return, abs=1e-12)


def test_deep_sea_render():
    env = DeepSea(size=3, seed=0)
    env.reset()
    image = env.render(cell_size=2)
    assert image.shape == (6, 6, 3)
    np.testing.assert_array_equal(image[0, 0], [240, 150, 40])
    np.testing.assert_array_equal(image[5, 5], [40, 160, 60])


def test_multi_agent_specs_follow_the_convention():
    env = CooperativeNavigation(num_agents=3, seed=0)
    spec = troupe.make_environment_spec(env)
    ids = ('0', '1', '2')
    assert env.agent_ids == ids == multiagent.agent_ids(3)
    for field in spec:
        assert isinstance(field, dict) and tuple(field) == ids
    assert spec.observations['1'] == specs.Array((14,), np.float32, name='observation_1')
    assert spec.actions['2'] == specs.BoundedArray((2,), np.float32, -1.0, 1.0,
                                                   name='action_2')
    assert spec.rewards['0'] == specs.Array((), np.float64, name='reward_0')
    one = multiagent.agent_spec(spec, '1')
    assert one.observations.shape == (14,) and one.actions.shape == (2,)
    with pytest.raises(ValueError, match=r"Unknown agent id '7'"):
        multiagent.agent_spec(spec, '7')


def test_multi_agent_reward_and_discount_specs():
    rewards, discounts = multiagent.reward_and_discount_specs(('0', '1'))
    assert rewards == {'0': specs.Array((), np.float64, name='reward_0'),
                       '1': specs.Array((), np.float64, name='reward_1')}
    assert discounts['1'] == specs.BoundedArray((), np.float64, 0.0, 1.0,
                                                name='discount_1')
    assert tuple(discounts) == ('0', '1')


def test_multi_agent_dynamics_observations_and_rewards():
    env = CooperativeNavigation(num_agents=2, seed=0)
    env.reset()
    env.set_positions(agents=[[0.0, 0.0], [1.0, 0.0]], landmarks=[[0.0, 0.0], [1.0, 1.0]])
    timestep = env.step({'0': np.array([1.0, 0.0], np.float32),
                         '1': np.zeros(2, np.float32)})
    # v = sensitivity * force * dt = 0.5; p = v * dt = 0.05.
    np.testing.assert_array_equal(env.positions, [[0.05, 0.0], [1.0, 0.0]])
    expected_0 = np.array([0.5, 0.0, 0.05, 0.0, -0.05, 0.0, 0.95, 1.0, 0.95, 0.0],
                          np.float32)
    np.testing.assert_array_equal(timestep.observation['0'], expected_0)
    # Landmark (0, 0) is 0.05 from agent 0; landmark (1, 1) is 1.0 from agent 1.
    assert timestep.reward == {'0': -(0.05 + 1.0), '1': -(0.05 + 1.0)}
    assert timestep.discount == {'0': 1.0, '1': 1.0}


def test_multi_agent_collisions_are_penalised_per_agent():
    env = CooperativeNavigation(num_agents=3, collision_penalty=2.0, seed=0)
    env.reset()
    env.set_positions(agents=[[0.0, 0.0], [0.1, 0.0], [1.0, 1.0]],
                      landmarks=[[0.0, 0.0], [0.1, 0.0], [1.0, 1.0]])
    zero = {i: np.zeros(2, np.float32) for i in env.agent_ids}
    assert env.step(zero).reward == {'0': -2.0, '1': -2.0, '2': 0.0}


def test_multi_agent_truncation_and_bad_actions():
    env = CooperativeNavigation(num_agents=2, max_episode_steps=3, seed=1)
    env.reset()
    zero = {'0': np.zeros(2, np.float32), '1': np.zeros(2, np.float32)}
    steps = [env.step(zero) for _ in range(3)]
    assert [t.step_type for t in steps] == [dm_env.StepType.MID] * 2 + [dm_env.StepType.LAST]
    env.reset()
    with pytest.raises(InvalidActionError, match=r'structure of the action spec'):
        env.step({'0': np.zeros(2, np.float32)})
    with pytest.raises(InvalidActionError, match=r'out of bounds'):
        env.step({'0': np.zeros(2, np.float32), '1': np.full(2, 1.5, np.float32)})


def test_multi_agent_is_seeded_and_renders():
    first = CooperativeNavigation(seed=3).reset().observation
    second = CooperativeNavigation(seed=3).reset().observation
    for agent_id in first:
        np.testing.assert_array_equal(first[agent_id], second[agent_id])
    env = CooperativeNavigation(seed=3)
    env.reset()
    image = env.render(size=60)
    assert image.shape == (60, 60, 3) and (image != 255).any()
