"""GridWorld: specs and values of every observation type, rewards, discounts,
truncation, the model and planning, rendering and bad input."""

import dm_env
import numpy as np
import pytest
from dm_env import specs

from troupe.agents.tabular import planning
from troupe.environments import (GridWorld, InvalidActionError, ObservationType,
                                 build_gridworld_task)
from troupe.environments.gridworld_tasks import parse_layout

UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3

SIMPLE = ['##########',
          '#........#',
          '#...##...#',
          '#...##...#',
          '#...##...#',
          '#........#',
          '#........#',
          '#........#',
          '##########']
OBSTACLE = ['##########',
            '#.....#..#',
            '#...#....#',
            '#...##...#',
            '#...##...#',
            '#........#',
            '#........#',
            '#........#',
            '##########']


def test_layouts_starts_and_goals_match_the_tutorial():
    simple = build_gridworld_task('simple')
    obstacle = build_gridworld_task('obstacle')
    np.testing.assert_array_equal(simple.layout, parse_layout(SIMPLE))
    np.testing.assert_array_equal(obstacle.layout, parse_layout(OBSTACLE))
    assert simple.layout.shape == (9, 10)
    assert (simple.start_state, simple.goal_state) == ((2, 2), (7, 2))
    assert (obstacle.start_state, obstacle.goal_state) == ((2, 2), (2, 8))
    assert simple.number_of_states == 90


def test_state_index_spec_and_values():
    env = build_gridworld_task('simple', observation_type=ObservationType.STATE_INDEX)
    assert env.observation_spec() == specs.DiscreteArray(
            90, dtype=np.int64, name='observation_state_index')
    assert env.action_spec() == specs.DiscreteArray(4, dtype=np.int64, name='action')
    timestep = env.reset()
    assert timestep.first() and timestep.reward is None and timestep.discount is None
    assert timestep.observation == 22 and timestep.observation.dtype == np.int64
    assert env.step(DOWN).observation == 32
    assert env.step(LEFT).observation == 31


def test_agent_onehot_spec_and_values():
    env = build_gridworld_task('simple', observation_type=ObservationType.AGENT_ONEHOT)
    assert env.observation_spec() == specs.BoundedArray(
            (9, 10), np.float32, 0.0, 1.0, name='observation_agent_onehot')
    observation = env.reset().observation
    expected = np.zeros((9, 10), np.float32)
    expected[2, 2] = 1.0
    np.testing.assert_array_equal(observation, expected)
    assert observation.dtype == np.float32
    expected[2, 2], expected[2, 3] = 0.0, 1.0
    np.testing.assert_array_equal(env.step(RIGHT).observation, expected)


def test_grid_spec_and_values():
    env = build_gridworld_task('obstacle', observation_type=ObservationType.GRID)
    assert env.observation_spec() == specs.BoundedArray(
            (9, 10, 3), np.float32, 0.0, 1.0, name='observation_grid')
    observation = env.reset().observation
    np.testing.assert_array_equal(observation[..., 0], parse_layout(OBSTACLE) == -1)
    agent = np.zeros((9, 10), np.float32)
    agent[2, 2] = 1.0
    goal = np.zeros((9, 10), np.float32)
    goal[2, 8] = 1.0
    np.testing.assert_array_equal(observation[..., 1], agent)
    np.testing.assert_array_equal(observation[..., 2], goal)
    moved = env.step(UP).observation
    assert moved[1, 2, 1] == 1.0 and moved[..., 1].sum() == 1.0


def test_agent_goal_pos_spec_and_values():
    env = build_gridworld_task('simple', observation_type=ObservationType.AGENT_GOAL_POS)
    spec = env.observation_spec()
    assert spec.shape == (4,) and spec.dtype == np.float32
    np.testing.assert_array_equal(spec.maximum, [8, 9, 8, 9])
    observation = env.reset().observation
    np.testing.assert_array_equal(observation, np.array([2, 2, 7, 2], np.float32))
    np.testing.assert_array_equal(env.step(DOWN).observation, [3, 2, 7, 2])
    spec.validate(observation)


def test_wall_bump_costs_and_stays():
    env = build_gridworld_task('simple')
    env.reset()
    moved = env.step(RIGHT)  # (2, 2) -> (2, 3).
    assert (moved.step_type, moved.reward, moved.discount) == (dm_env.StepType.MID, 0.0, 0.9)
    bumped = env.step(RIGHT)  # (2, 4) is a wall.
    assert (bumped.step_type, bumped.reward, bumped.discount) == (
            dm_env.StepType.MID, -5.0, 0.9)
    assert bumped.observation == 23 and env.state == (2, 3)
    env.set_state(1, 1)  # Column 1, row 1: the top-left corner.
    assert env.step(UP).reward == -5.0 and env.step(LEFT).reward == -5.0
    assert env.state == (1, 1)


def test_goal_pays_ends_with_zero_discount_and_returns_to_start():
    env = build_gridworld_task('simple', discount=0.5, penalty_for_walls=-2)
    env.reset()
    env.set_state(2, 6)  # One step above the goal (7, 2).
    timestep = env.step(DOWN)
    assert (timestep.step_type, timestep.reward, timestep.discount) == (
            dm_env.StepType.LAST, 10.0, 0.0)
    assert timestep.observation == 22 and env.state == (2, 2)
    # dm_env: a step after LAST starts a new episode and ignores the action.
    restarted = env.step(DOWN)
    assert restarted.first() and restarted.observation == 22


def test_custom_discount_penalty_and_reward():
    env = GridWorld(parse_layout(['####', '#..#', '####']), (1, 1), (1, 2), discount=0.5,
                    penalty_for_walls=-1, reward_goal=3)
    env.reset()
    assert (env.step(UP).reward, env.step(UP).discount) == (-1.0, 0.5)
    goal = env.step(RIGHT)
    assert (goal.reward, goal.discount, goal.last()) == (3.0, 0.0, True)


def test_truncation_keeps_the_ordinary_discount():
    env = build_gridworld_task('simple', max_episode_length=3)
    env.reset()
    steps = [env.step(LEFT) for _ in range(3)]
    assert [t.step_type for t in steps] == [dm_env.StepType.MID] * 2 + [dm_env.StepType.LAST]
    assert [t.discount for t in steps] == [0.9, 0.9, 0.9]
    assert [t.reward for t in steps] == [0.0, -5.0, -5.0]
    assert env.step(LEFT).first()


def test_no_truncation_without_a_limit():
    env = build_gridworld_task('simple', max_episode_length=None)
    env.reset()
    assert all(env.step(UP).mid() for _ in range(1000))


def test_random_goal_is_seeded_free_and_not_the_start():
    goals = [build_gridworld_task('random_goal', seed=seed).goal_state for seed in range(20)]
    assert goals == [build_gridworld_task('random_goal', seed=seed).goal_state
                     for seed in range(20)]
    layout = parse_layout(SIMPLE)
    assert all(layout[goal] == 0 and goal != (2, 2) for goal in goals)
    assert len(set(goals)) > 5


def _greedy_path_length(env: GridWorld, q: np.ndarray, limit: int = 100) -> int:
    timestep = env.reset()
    for length in range(1, limit + 1):
        timestep = env.step(int(np.argmax(q[timestep.observation])))
        if timestep.last():
            assert timestep.reward == 10.0 and timestep.discount == 0.0
            return length
    raise AssertionError('the greedy policy did not reach the goal')


@pytest.mark.parametrize('task, length', [('simple', 5), ('obstacle', 8)])
def test_value_iteration_greedy_paths_are_shortest(task, length):
    env = build_gridworld_task(task)
    q = planning.value_iteration(env.model)
    assert _greedy_path_length(env, q) == length
    # The start's value is the discounted goal reward: 0.9 ** (length - 1) * 10.
    assert q[22].max() == pytest.approx(10 * 0.9 ** (length - 1), abs=1e-9)


def test_model_tables():
    env = build_gridworld_task('simple')
    model = env.model
    assert model.transitions.shape == (90, 4, 90)
    np.testing.assert_array_equal(model.transitions.sum(-1), np.ones((90, 4)))
    assert len(model.states) == 90 - 34 - 6  # Minus the border and the inner wall.
    start = 22
    assert model.transitions[start, RIGHT, 23] == 1.0
    assert (model.rewards[23, RIGHT], model.discounts[23, RIGHT]) == (-5.0, 0.9)
    assert model.transitions[23, RIGHT, 23] == 1.0
    above_goal = 62
    assert (model.rewards[above_goal, DOWN], model.discounts[above_goal, DOWN]) == (10.0, 0.0)
    assert model.transitions[above_goal, DOWN, start] == 1.0
    np.testing.assert_array_equal(planning.greedy_policy(np.eye(4)), [0, 1, 2, 3])


def test_render_draws_walls_goal_and_agent():
    env = build_gridworld_task('simple')
    env.reset()
    image = env.render(cell_size=10)
    assert image.shape == (90, 100, 3) and image.dtype == np.uint8
    np.testing.assert_array_equal(image[5, 5], [64, 64, 64])  # Wall (0, 0).
    np.testing.assert_array_equal(image[75, 25], [40, 160, 60])  # Goal (7, 2).
    np.testing.assert_array_equal(image[25, 25], [240, 150, 40])  # Agent on (2, 2).
    np.testing.assert_array_equal(image[15, 15], [255, 255, 255])  # Free (1, 1).


def test_render_overlays_values_and_policy():
    env = build_gridworld_task('obstacle')
    q = planning.value_iteration(env.model)
    plain = env.render(show_agent=False)
    overlay = env.render(q_values=q, policy=planning.greedy_policy(q), show_agent=False)
    assert overlay.shape == plain.shape
    # The cell next to the goal has the highest value: saturated red.
    np.testing.assert_array_equal(overlay[2 * 20 + 2, 7 * 20 + 2], [255, 0, 0])
    # Greedy arrows are drawn in black in the free cells.
    assert (overlay[2 * 20:3 * 20, 2 * 20:3 * 20] == 0).all(-1).any()
    with pytest.raises(ValueError, match=r'q_values must have shape'):
        env.render(q_values=np.zeros((9, 10)))
    with pytest.raises(ValueError, match=r'policy actions must be'):
        env.render(policy=np.full(90, 7))


def test_plot_helpers_make_figures():
    pytest.importorskip('matplotlib')
    import matplotlib.pyplot as plt
    env = build_gridworld_task('simple')
    env.reset()
    q = planning.value_iteration(env.model)
    figures = [env.plot_grid(), env.plot_state(), env.plot_policy(np.zeros(90, int)),
               env.plot_greedy_policy(q.reshape(9, 10, 4))]
    assert all(figure is not None for figure in figures)
    assert env.plot_state(return_rgb=True).shape == (180, 200, 3)
    plt.close('all')


@pytest.mark.parametrize('action', [4, -1, 1.0, np.float32(2), True, np.array([1]), '1', None])
def test_bad_actions_raise_naming_action_and_spec(action):
    env = build_gridworld_task('simple')
    env.reset()
    with pytest.raises(InvalidActionError, match=r'Action .* DiscreteArray'):
        env.step(action)


def test_integer_actions_of_any_width_are_accepted():
    env = build_gridworld_task('simple')
    env.reset()
    assert env.step(np.int32(DOWN)).observation == 32
    assert env.step(np.array(DOWN, dtype=np.int64)).observation == 42
    assert env.step(np.uint8(UP)).observation == 32


def test_step_before_reset_starts_an_episode():
    env = build_gridworld_task('simple')
    timestep = env.step(DOWN)
    assert timestep.first() and timestep.observation == 22


@pytest.mark.parametrize('kwargs, message', [
        (dict(layout=[[-1, 2], [0, 0]], start_state=(1, 0)), r'got 2 at \(0, 1\)'),
        (dict(layout=[[0, 0]], start_state=(0, 5)), r'start_state \(0, 5\) is outside'),
        (dict(layout=[[0, -1]], start_state=(0, 1)), r'start_state \(0, 1\) is a wall'),
        (dict(layout=[[0, 0]], start_state=(0, 0), goal_state=(0, 0)), r'must differ'),
        (dict(layout=[[0, 0]], start_state=(0, 0), goal_state=(0, 1), discount=1.5),
         r'discount must be in \[0, 1\], got 1.5'),
        (dict(layout=[[0, 0]], start_state=(0, 0), goal_state=(0, 1),
              observation_type='pixels'), r"got 'pixels'"),
        (dict(layout=[[0, 0]], start_state=(0, 0), goal_state=(0, 1),
              max_episode_length=0), r'max_episode_length must be a positive int'),
        (dict(layout=[[0]], start_state=(0, 0)), r'no free cell for a goal'),
])
def test_bad_constructor_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GridWorld(**kwargs)


def test_unknown_task_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"'maze'.*'simple', 'obstacle', 'random_goal'"):
        build_gridworld_task('maze')
