"""KeyDoorRooms: the layout, the key and the door, the reward, the limit, pictures."""

import numpy as np
import pytest
from dm_env import specs

from troupe import environments, errors
from troupe.environments import rendering
from troupe.environments.key_door_rooms import DOWN, LEFT, RIGHT, UP, KeyDoorRooms

DEFAULT_LAYOUT = [
    '#########################',
    '#S....#.....#.....#....G#',
    '#.....#.....#.....#.....#',
    '#.................D.....#',
    '#.....#.....#.....#.....#',
    '#.....#.....#K....#.....#',
    '#########################',
]
# The shortest path, counted by hand: 7 steps to the first doorway (3, 6), 6 to
# the second (3, 12), 3 to the key (5, 13), 7 to the door (3, 18), 7 to the goal.
TO_KEY = [RIGHT] * 4 + [DOWN] * 2 + [RIGHT] * 7 + [RIGHT, DOWN, DOWN]
KEY_TO_GOAL = [UP, UP] + [RIGHT] * 5 + [RIGHT, UP, UP] + [RIGHT] * 4


def _walk(env, actions):
    return [env.step(action) for action in actions]


def test_default_layout_and_cells():
    env = environments.make('key_door_rooms', seed=0)
    assert isinstance(env, KeyDoorRooms)
    assert env.layout == DEFAULT_LAYOUT
    assert (env.start, env.key, env.door, env.goal) == ((1, 1), (5, 13), (3, 18), (1, 23))
    assert env.walls.shape == (7, 25) and env.walls.sum() == 7 * 25 - 4 * 25 - 3
    assert not env.walls[env.door] and env.max_episode_steps == 100
    assert env.observation_spec() == specs.BoundedArray(
            (3,), np.float32, np.zeros(3, np.float32), np.array([6, 24, 1], np.float32),
            name='observation_position')
    assert env.action_spec() == specs.DiscreteArray(4, dtype=np.int64, name='action')


def test_two_small_rooms_layout():
    env = KeyDoorRooms(num_rooms=2, room_size=3)
    assert env.layout == ['#########',
                          '#S..#..G#',
                          '#...D...#',
                          '#K..#...#',
                          '#########']
    # Down 2 to the key, up 1 and right 3 to the door, up 1 and right 3 to the goal.
    assert env.shortest_path_length == 10


def test_shortest_path_is_the_hand_counted_one():
    env = KeyDoorRooms()
    assert len(TO_KEY) + len(KEY_TO_GOAL) == 30 == env.shortest_path_length
    assert env.optimal_return == 1.0
    assert KeyDoorRooms(max_episode_steps=29).optimal_return == 0.0
    env.reset()
    steps = _walk(env, TO_KEY + KEY_TO_GOAL)
    assert [t.reward for t in steps] == [0.0] * 29 + [1.0]
    assert all(t.mid() and t.discount == 1.0 for t in steps[:-1])
    assert steps[-1].last() and steps[-1].discount == 0.0
    np.testing.assert_array_equal(steps[-1].observation, [1, 23, 1])
    assert env.step(UP).first()  # dm_env: after LAST, a new episode.
    assert env.position == (1, 1) and not env.has_key


def test_key_pickup():
    env = KeyDoorRooms()
    env.reset()
    steps = _walk(env, TO_KEY)
    assert [bool(t.observation[2]) for t in steps] == [False] * 15 + [True]
    np.testing.assert_array_equal(steps[-1].observation, [5, 13, 1])
    assert env.has_key and env.position == env.key
    env.step(UP)
    env.step(DOWN)  # Back on the key's cell: nothing more happens.
    assert env.has_key and env.position == env.key


def test_door_blocks_without_the_key_and_opens_with_it():
    env = KeyDoorRooms()
    env.reset()
    to_door = [RIGHT] * 4 + [DOWN] * 2 + [RIGHT] * 12  # Along row 3 to (3, 17).
    _walk(env, to_door)
    assert env.position == (3, 17) and not env.has_key
    blocked = env.step(RIGHT)
    assert env.position == (3, 17) and blocked.mid() and blocked.reward == 0.0
    env.reset()
    _walk(env, TO_KEY + [UP, UP] + [RIGHT] * 4)
    assert env.position == (3, 17) and env.has_key
    env.step(RIGHT)
    assert env.position == env.door


def test_walls_hold_the_agent_and_pay_nothing():
    env = KeyDoorRooms()
    env.reset()
    for action in (UP, LEFT):
        timestep = env.step(action)
        assert env.position == (1, 1) and timestep.reward == 0.0 and timestep.mid()
    _walk(env, [RIGHT] * 4)
    env.step(RIGHT)  # The wall between the first two rooms, off the doorway row.
    assert env.position == (1, 5)


def test_step_limit_truncates():
    env = KeyDoorRooms(max_episode_steps=5)
    env.reset()
    steps = _walk(env, [UP] * 5)
    assert [t.step_type for t in steps[:4]] == [steps[0].step_type] * 4 and steps[0].mid()
    assert steps[-1].last() and steps[-1].discount == 1.0 and steps[-1].reward == 0.0
    assert env.step(UP).first()


def test_observation_types():
    env = KeyDoorRooms(observation_type='index')
    assert env.observation_spec() == specs.DiscreteArray(7 * 25 * 2, dtype=np.int64,
                                                         name='observation_index')
    assert env.reset().observation == (1 * 25 + 1) * 2
    assert _walk(env, TO_KEY)[-1].observation == (5 * 25 + 13) * 2 + 1
    grid_env = KeyDoorRooms(observation_type='grid')
    grid = grid_env.reset().observation
    assert grid.shape == (7, 25, 5) and grid.dtype == np.float32
    assert grid[..., 0].sum() == grid_env.walls.sum()
    assert [tuple(np.argwhere(grid[..., c])[0]) for c in range(1, 5)] == [
        (1, 1), (5, 13), (3, 18), (1, 23)]
    grid = _walk(grid_env, TO_KEY)[-1].observation
    assert grid[..., 2].sum() == 0 and grid[..., 3].sum() == 0  # Key taken, door open.
    assert tuple(np.argwhere(grid[..., 1])[0]) == (5, 13)


def test_action_noise_is_seeded():
    def trajectory(seed):
        env = KeyDoorRooms(action_noise=0.5, seed=seed)
        env.reset()
        return [env.step(RIGHT).observation.tolist() for _ in range(30)]
    assert trajectory(3) == trajectory(3)
    assert trajectory(3) != trajectory(4)
    env = KeyDoorRooms(action_noise=0.0)
    env.reset()
    _walk(env, [RIGHT] * 30)
    assert env.position == (1, 5)


def test_render_draws_the_cells():
    env = KeyDoorRooms()
    env.reset()
    image = env.render(cell_size=8)
    assert image.shape == (7 * 8, 25 * 8, 3) and image.dtype == np.uint8

    def centre(cell):
        return tuple(image[cell[0] * 8 + 4, cell[1] * 8 + 4])
    assert centre((0, 0)) == rendering.DARK_GREY
    assert centre(env.key) == rendering.YELLOW and centre(env.door) == rendering.BROWN
    assert centre(env.goal) == rendering.GREEN and centre(env.start) == rendering.ORANGE
    _walk(env, TO_KEY + [UP])
    image = env.render(cell_size=8)
    assert centre(env.key) == rendering.WHITE and centre(env.door) != rendering.BROWN


def test_heat_colors():
    np.testing.assert_array_equal(rendering.heat_colors([0.0, 0.25, 0.5, 1.0, 2.0]),
                                  [[255, 255, 255], [250, 220, 90], [240, 150, 40],
                                   [110, 10, 20], [110, 10, 20]])


def test_visit_heat_map():
    env = KeyDoorRooms(num_rooms=2, room_size=3)
    positions = [(1, 1)] * 3 + [(1, 2), (2, 4)]
    image = env.render_visits(positions, cell_size=4)
    from troupe.environments import key_door_rooms_plotting as plotting
    expected = np.zeros((5, 9), dtype=np.int64)
    expected[1, 1], expected[1, 2], expected[2, 4] = 3, 1, 1
    np.testing.assert_array_equal(plotting.visit_counts(env, positions), expected)
    observations = [[1, 1, 0], [1, 1, 1], [2, 4, 1]]  # 'position' observations work too.
    assert plotting.visit_counts(env, observations)[1, 1] == 2
    assert image.shape == (20, 36, 3)
    assert tuple(image[1 * 4 + 1, 1 * 4 + 1]) == (110, 10, 20)  # The most visited: darkest.
    # Visited once: log(2) / log(4) = 0.5 of the scale, orange.
    assert tuple(image[1 * 4 + 1, 2 * 4 + 1]) == (240, 150, 40)
    assert tuple(image[2 * 4 + 1, 5 * 4 + 1]) == (255, 255, 255)  # Never visited.
    assert tuple(image[0, 0]) == rendering.GREY and tuple(image[1, 1]) == rendering.DARK_GREY
    assert env.render_visits([]).shape == (5 * 16, 9 * 16, 3)


@pytest.mark.parametrize('positions, message', [
    ([(0, 0)], r'position \(0, 0\) is a wall'),
    ([(1, 9)], r'position \(1, 9\) is outside the 5x9 grid'),
    ([(1, 1.5)], r'integral rows and columns'),
    ([1, 2], r'shape \[N, 2\] \(row, column\) or \[N, 3\].*got shape \(2,\)'),
])
def test_bad_visit_positions(positions, message):
    with pytest.raises(errors.InvalidInput, match=message):
        KeyDoorRooms(num_rooms=2, room_size=3).render_visits(positions)


@pytest.mark.parametrize('kwargs, message', [
    ({'num_rooms': 1}, r'KeyDoorRooms num_rooms must be >= 2, got 1'),
    ({'num_rooms': 'four'}, r'KeyDoorRooms num_rooms must be an integer'),
    ({'room_size': 2}, r'KeyDoorRooms room_size must be >= 3, got 2'),
    ({'max_episode_steps': 0}, r'KeyDoorRooms max_episode_steps must be >= 1, got 0'),
    ({'observation_type': 'pixels'}, r"observation_type must be one of \('position', "
                                     r"'index', 'grid'\), got 'pixels'"),
    ({'action_noise': 1.5}, r'KeyDoorRooms action_noise must be in \[0, 1\], got 1.5'),
    ({'seed': -1}, r'seed must be None or an integer'),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(errors.InvalidInput, match=message):
        KeyDoorRooms(**kwargs)
    with pytest.raises(errors.InvalidInput, match=r'cell_size must be an integer >= 4'):
        KeyDoorRooms().render(cell_size=2)
