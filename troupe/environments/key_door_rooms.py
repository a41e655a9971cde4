"""Key-door rooms: a sparse-reward, hard-exploration grid of rooms.

`num_rooms` square rooms of `room_size` x `room_size` cells stand in a row,
inside a wall border, each wall between two rooms pierced by a doorway in its
middle row. The last doorway, into the goal room, is a locked door: the agent
passes it only after picking up the key (by walking onto it), which lies in
the bottom-left corner of the room before the door. The agent starts in the
top-left corner of the first room; the goal is the top-right corner of the last
room. The default layout (4 rooms of 5 x 5):

    #########################
    #S....#.....#.....#....G#
    #.....#.....#.....#.....#
    #.................D.....#
    #.....#.....#.....#.....#
    #.....#.....#K....#.....#
    #########################

Actions: 0 up, 1 right, 2 down, 3 left. A move into a wall, or into the locked
door without the key, leaves the agent in place. Reaching the goal pays 1.0
and ends the episode (discount 0); every other step pays 0 with discount 1,
and the episode is truncated (LAST, discount 1) after `max_episode_steps`.
With `action_noise` p, each move is replaced with probability p by a uniformly
random one, drawn from the seeded generator.

The shortest path on the default layout is 30 steps (`shortest_path_length`,
by breadth-first search over (cell, has_key)): 7 to the first doorway, 6 to the
second, 3 to the key, 7 to the door and 7 to the goal. A uniformly random policy
reached the goal in 0 of 10,000 episodes at the default limit of 100 steps, in
11 (0.11 %) with 200 steps and in 1,901 (19 %) with 1,000 steps (measured with
`benchmarks/key_door_rooms_random.py`, episode e's actions seeded with e):
dithering exploration essentially never sees the reward within an episode.

Observations (`observation_type`):

- 'position' (default): float32 (row, column, has_key).
- 'index': an int64 in a `DiscreteArray(rows * columns * 2)`,
  `(row * columns + column) * 2 + has_key`, for tabular agents and cell archives.
- 'grid': float32 (rows, columns, 5), channels walls, agent, key (until picked
  up), locked door (until the key is held) and goal.
"""

import collections
from typing import Dict, List, Optional, Tuple

import dm_env
import numpy as np
from dm_env import specs

from troupe import errors
from troupe.environments import arguments, base, gridworld_plotting, key_door_rooms_plotting

Position = Tuple[int, int]

UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
OBSERVATION_TYPES = ('position', 'index', 'grid')


def build_layout(num_rooms: int, room_size: int) -> List[str]:
    """The layout's rows: '#' wall, '.' free, 'S' start, 'K' key, 'D' door, 'G' goal."""
    rows, columns = room_size + 2, num_rooms * (room_size + 1) + 1
    grid = [['#'] * columns for _ in range(rows)]
    for room in range(num_rooms):
        left = room * (room_size + 1) + 1
        for row in range(1, room_size + 1):
            for column in range(left, left + room_size):
                grid[row][column] = '.'
    door_row = 1 + room_size // 2
    for room in range(1, num_rooms):
        grid[door_row][room * (room_size + 1)] = '.' if room < num_rooms - 1 else 'D'
    grid[1][1] = 'S'
    grid[room_size][(num_rooms - 2) * (room_size + 1) + 1] = 'K'
    grid[1][columns - 2] = 'G'
    return [''.join(row) for row in grid]


class KeyDoorRooms(base.Environment):
    """Rooms in a row, a key that opens the goal room's door, reward only at the goal."""

    _STATE_ATTRIBUTES = ('_row', '_column', '_has_key', '_episode_steps')

    def __init__(self, num_rooms: int = 4, room_size: int = 5,
                 max_episode_steps: int = 100, observation_type: str = 'position',
                 action_noise: float = 0.0, *, seed: Optional[int] = None):
        """Builds the rooms.

        Args:
            num_rooms: how many rooms stand in a row (>= 2); the last holds the goal.
            room_size: the side of each square room in cells (>= 3).
            max_episode_steps: the step limit that truncates an episode (>= 1).
            observation_type: 'position', 'index' or 'grid' (see the module docstring).
            action_noise: the probability in [0, 1] that a move is replaced by a
                uniformly random one.
            seed: seeds the action noise.
        """
        super().__init__(seed)
        self._num_rooms = arguments.check_int('KeyDoorRooms num_rooms', num_rooms, 2)
        self._room_size = arguments.check_int('KeyDoorRooms room_size', room_size, 3)
        self._max_episode_steps = arguments.check_int('KeyDoorRooms max_episode_steps',
                                                      max_episode_steps, 1)
        if observation_type not in OBSERVATION_TYPES:
            raise errors.InvalidInput(f'KeyDoorRooms observation_type must be one of '
                                      f'{OBSERVATION_TYPES}, got {observation_type!r}.')
        self._observation_type = observation_type
        self._action_noise = arguments.check_number('KeyDoorRooms action_noise', action_noise,
                                                    0.0, 1.0)
        self._layout = build_layout(self._num_rooms, self._room_size)
        self._cells = self._find_cells()
        self._walls = [[symbol == '#' for symbol in row] for row in self._layout]
        self._rows, self._columns = len(self._layout), len(self._layout[0])
        self._row, self._column = self._cells['S']
        self._has_key = False
        self._episode_steps = 0
        self._shortest_path_length = self._breadth_first_search()
        self._observation_spec = self._make_observation_spec()
        self._action_spec = specs.DiscreteArray(4, dtype=np.int64, name='action')

    def _find_cells(self) -> Dict[str, Position]:
        return {symbol: (row, column) for row, line in enumerate(self._layout)
                for column, symbol in enumerate(line) if symbol in 'SKDG'}

    def _make_observation_spec(self):
        rows, columns = self._rows, self._columns
        if self._observation_type == 'position':
            return specs.BoundedArray((3,), np.float32, np.zeros(3, np.float32),
                                      np.array([rows - 1, columns - 1, 1], np.float32),
                                      name='observation_position')
        if self._observation_type == 'index':
            return specs.DiscreteArray(rows * columns * 2, dtype=np.int64,
                                       name='observation_index')
        return specs.BoundedArray((rows, columns, 5), np.float32, 0.0, 1.0,
                                  name='observation_grid')

    def _state_config(self) -> dict:
        return {'num_rooms': self._num_rooms, 'room_size': self._room_size,
                'max_episode_steps': self._max_episode_steps,
                'observation_type': self._observation_type,
                'action_noise': self._action_noise}

    # Moves and the shortest path.

    def _move(self, row: int, column: int, has_key: bool, action: int):
        """The deterministic effect of `action`: (row, column, has_key)."""
        dy, dx = MOVES[action]
        y, x = row + dy, column + dx
        if self._walls[y][x] or ((y, x) == self._cells['D'] and not has_key):
            return row, column, has_key
        return y, x, has_key or (y, x) == self._cells['K']

    def _breadth_first_search(self) -> Optional[int]:
        start = self._cells['S'] + (False,)
        distance = {start: 0}
        frontier = collections.deque([start])
        while frontier:
            node = frontier.popleft()
            if node[:2] == self._cells['G']:
                return distance[node]
            for action in range(4):
                neighbour = self._move(*node, action)
                if neighbour not in distance:
                    distance[neighbour] = distance[node] + 1
                    frontier.append(neighbour)
        return None

    # dm_env.Environment.

    def observation_spec(self):
        return self._observation_spec

    def action_spec(self) -> specs.DiscreteArray:
        """0 up, 1 right, 2 down, 3 left."""
        return self._action_spec

    def _observation(self):
        if self._observation_type == 'position':
            return np.array((self._row, self._column, self._has_key), dtype=np.float32)
        if self._observation_type == 'index':
            return np.int64((self._row * self._columns + self._column) * 2 + self._has_key)
        return self._grid()

    def _grid(self) -> np.ndarray:
        grid = np.zeros((self._rows, self._columns, 5), dtype=np.float32)
        grid[..., 0] = self._walls
        grid[self._row, self._column, 1] = 1.0
        if not self._has_key:
            grid[self._cells['K'] + (2,)] = 1.0
            grid[self._cells['D'] + (3,)] = 1.0
        grid[self._cells['G'] + (4,)] = 1.0
        return grid

    def _reset(self) -> dm_env.TimeStep:
        self._row, self._column = self._cells['S']
        self._has_key = False
        self._episode_steps = 0
        return base.timestep(base.FIRST, None, None, self._observation())

    def _step(self, action: int) -> dm_env.TimeStep:
        if self._action_noise and self._rng.random() < self._action_noise:
            action = int(self._rng.integers(4))
        self._row, self._column, self._has_key = self._move(self._row, self._column,
                                                            self._has_key, action)
        self._episode_steps += 1
        if (self._row, self._column) == self._cells['G']:
            return base.timestep(base.LAST, 1.0, 0.0, self._observation())
        if self._episode_steps >= self._max_episode_steps:
            return base.timestep(base.LAST, 0.0, 1.0, self._observation())
        return base.timestep(base.MID, 0.0, 1.0, self._observation())

    # Accessors.

    @property
    def layout(self) -> List[str]:
        """The rows of the layout (see `build_layout` for the symbols)."""
        return list(self._layout)

    @property
    def walls(self) -> np.ndarray:
        """[rows, columns] bool: True on wall cells (the locked door is not one)."""
        return np.array(self._walls, dtype=bool)

    @property
    def start(self) -> Position:
        """(row, column) of the start cell."""
        return self._cells['S']

    @property
    def key(self) -> Position:
        """(row, column) of the key."""
        return self._cells['K']

    @property
    def door(self) -> Position:
        """(row, column) of the locked door."""
        return self._cells['D']

    @property
    def goal(self) -> Position:
        """(row, column) of the goal."""
        return self._cells['G']

    @property
    def position(self) -> Position:
        """The agent's current (row, column)."""
        return self._row, self._column

    @property
    def has_key(self) -> bool:
        """Whether the agent holds the key."""
        return self._has_key

    @property
    def max_episode_steps(self) -> int:
        """The step limit of an episode."""
        return self._max_episode_steps

    @property
    def shortest_path_length(self) -> Optional[int]:
        """The fewest steps from the start to the goal (picking up the key on the
        way), by breadth-first search over (cell, has_key); None if unreachable."""
        return self._shortest_path_length

    @property
    def optimal_return(self) -> float:
        """1.0 when the goal can be reached within the step limit, else 0.0."""
        length = self._shortest_path_length
        return 1.0 if length is not None and length <= self._max_episode_steps else 0.0

    # Pictures.

    def render(self, cell_size: int = 16, show_agent: bool = True) -> np.ndarray:
        """The rooms as an RGB array: walls grey, key yellow, locked door brown,
        goal green and the agent an orange disc."""
        return key_door_rooms_plotting.draw(self, cell_size, show_agent)

    def render_visits(self, positions, cell_size: int = 16) -> np.ndarray:
        """A heat map of how often each cell was visited (see
        `key_door_rooms_plotting.draw_visits`)."""
        return key_door_rooms_plotting.draw_visits(self, positions, cell_size)

    def plot_visits(self, positions, title: str = 'Visited cells'):
        """Shows `render_visits(positions)` in a matplotlib figure; returns the figure."""
        return gridworld_plotting.show(self.render_visits(positions), title)
