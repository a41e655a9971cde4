"""The grid-world of the EEML 2021 RL tutorial, as a seeded `dm_env` environment.

An agent walks a grid of walls (-1) and free cells (0) from a start cell to a
goal cell. Actions: 0 up, 1 right, 2 down, 3 left. Bumping into a wall costs
`penalty_for_walls` and leaves the agent where it was; entering the goal pays
`reward_goal`, ends the episode with discount 0 and (as in the tutorial) puts the
agent back on the start cell; every other step pays 0 with discount `discount`.
`max_episode_length` truncates an episode: its LAST timestep keeps the ordinary
discount. The grid's model (`model`) is exposed so planners can solve it.
The tutorial's tasks are built by `gridworld_tasks.build_gridworld_task`.
"""

import enum
import numbers
import operator
from typing import NamedTuple, Optional, Sequence, Tuple, Union

import dm_env
import numpy as np
from dm_env import specs

from troupe import errors
from troupe.environments import arguments, base, gridworld_plotting

Position = Tuple[int, int]

UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3
_MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
WALL = -1
FREE = 0


class ObservationType(enum.IntEnum):
    """What `GridWorld` observations look like.

    STATE_INDEX: the agent's cell as `row * columns + column`, an int64 scalar.
    AGENT_ONEHOT: a (rows, columns) float32 grid with a 1 on the agent's cell.
    GRID: a (rows, columns, 3) float32 grid of channels walls, agent, goal.
    AGENT_GOAL_POS: float32 (agent_row, agent_column, goal_row, goal_column).
    """
    STATE_INDEX = enum.auto()
    AGENT_ONEHOT = enum.auto()
    GRID = enum.auto()
    AGENT_GOAL_POS = enum.auto()


class TabularModel(NamedTuple):
    """The exact model of a tabular environment, indexed by state index.

    Attributes:
        states: indices of the states the agent can occupy (the free cells).
        transitions: [S, A, S] probabilities of the next state (walls and
            unreachable cells are absorbing).
        rewards: [S, A] expected rewards.
        discounts: [S, A] discounts of the transition (0 where it ends the episode).
    """
    states: np.ndarray
    transitions: np.ndarray
    rewards: np.ndarray
    discounts: np.ndarray


class GridWorld(base.Environment):
    """A grid-world with walls, a start cell and a goal cell."""

    _STATE_ATTRIBUTES = ('_state_index', '_episode_steps')

    def __init__(self,
                 layout: Union[Sequence[Sequence[int]], np.ndarray],
                 start_state: Position,
                 goal_state: Optional[Position] = None,
                 observation_type: ObservationType = ObservationType.STATE_INDEX,
                 discount: float = 0.9,
                 penalty_for_walls: float = -5,
                 reward_goal: float = 10,
                 max_episode_length: Optional[int] = None,
                 *,
                 seed: Optional[int] = None):
        """Builds the grid-world.

        Args:
            layout: a 2-D grid of -1 (wall) and 0 (free cell).
            start_state: (row, column) of the start cell, a free cell.
            goal_state: (row, column) of the goal, a free cell other than the start;
                None samples one once, uniformly among the free cells, from `seed`.
            observation_type: see `ObservationType`.
            discount: the discount of every step that does not reach the goal.
            penalty_for_walls: the reward for bumping into a wall.
            reward_goal: the reward for entering the goal.
            max_episode_length: if set, episodes are truncated after this many steps.
            seed: seeds the goal sampling (the dynamics are deterministic).
        """
        super().__init__(seed)
        self._layout = _check_layout(layout)
        rows, columns = self._layout.shape
        self._start_state = _check_cell(self._layout, start_state, 'start_state')
        if goal_state is None:
            goal_state = self._sample_goal()
        self._goal_state = _check_cell(self._layout, goal_state, 'goal_state')
        if self._goal_state == self._start_state:
            raise errors.InvalidInput(f'goal_state {goal_state!r} must differ from start_state '
                             f'{start_state!r}.')
        try:
            if isinstance(observation_type, (bool, np.bool_)) or not isinstance(
                    observation_type, numbers.Integral):  # 1.0 and True are no type.
                raise ValueError(observation_type)
            self._observation_type = ObservationType(observation_type)
        except (ValueError, TypeError):
            raise errors.InvalidInput(f'observation_type must be one of {list(ObservationType)}, '
                             f'got {observation_type!r}.') from None
        self._discount = arguments.check_number('discount', discount, 0.0, 1.0)
        try:
            max_episode_length = arguments.check_int('max_episode_length',
                                                     max_episode_length, 1, optional=True)
        except errors.InvalidInput:
            raise errors.InvalidInput(f'max_episode_length must be a positive int or None, '
                                      f'got {max_episode_length!r}.') from None
        self._penalty_for_walls = arguments.check_number('penalty_for_walls',
                                                         penalty_for_walls)
        self._reward_goal = arguments.check_number('reward_goal', reward_goal)
        self._max_episode_length = max_episode_length
        self._columns = columns
        self._number_of_states = rows * columns
        self._next_state, self._bumps = self._build_moves()
        # Python lists index faster than numpy arrays on the per-step path.
        self._next_list = self._next_state.tolist()
        self._bump_list = self._bumps.tolist()
        self._goal_index = self._index(self._goal_state)
        self._start_index = self._index(self._start_state)
        self._state_index = self._start_index
        self._episode_steps = 0
        self._grid_template = np.zeros((rows, columns, 3), dtype=np.float32)
        self._grid_template[..., 0] = self._layout == WALL
        self._grid_template[self._goal_state + (2,)] = 1.0
        self._observation_spec = self._make_observation_spec()
        self._action_spec = specs.DiscreteArray(4, dtype=np.int64, name='action')

    # Construction helpers.

    def _index(self, cell: Position) -> int:
        return cell[0] * self._columns + cell[1]

    def _sample_goal(self) -> Position:
        free = [cell for cell in zip(*np.nonzero(self._layout == FREE))
                if tuple(int(v) for v in cell) != tuple(self._start_state)]
        if not free:
            raise errors.InvalidInput('The layout has no free cell for a goal besides the start.')
        row, column = free[self._rng.integers(len(free))]
        return int(row), int(column)

    def _build_moves(self):
        rows, columns = self._layout.shape
        next_state = np.zeros((rows * columns, 4), dtype=np.int64)
        bumps = np.zeros((rows * columns, 4), dtype=bool)
        for row in range(rows):
            for column in range(columns):
                index = row * columns + column
                for action, (dy, dx) in enumerate(_MOVES):
                    y, x = row + dy, column + dx
                    if (0 <= y < rows and 0 <= x < columns
                            and self._layout[y, x] != WALL):
                        next_state[index, action] = y * columns + x
                    else:
                        next_state[index, action] = index
                        bumps[index, action] = True
        return next_state, bumps

    def _make_observation_spec(self):
        rows, columns = self._layout.shape
        kind = self._observation_type
        if kind is ObservationType.STATE_INDEX:
            return specs.DiscreteArray(self._number_of_states, dtype=np.int64,
                                       name='observation_state_index')
        if kind is ObservationType.AGENT_ONEHOT:
            return specs.BoundedArray((rows, columns), np.float32, 0.0, 1.0,
                                      name='observation_agent_onehot')
        if kind is ObservationType.GRID:
            return specs.BoundedArray((rows, columns, 3), np.float32, 0.0, 1.0,
                                      name='observation_grid')
        maximum = np.array([rows - 1, columns - 1, rows - 1, columns - 1], np.float32)
        return specs.BoundedArray((4,), np.float32, np.zeros(4, np.float32), maximum,
                                  name='observation_agent_goal_pos')

    def _state_config(self) -> dict:
        return {'layout': self._layout, 'start_state': self._start_state,
                'goal_state': self._goal_state,
                'observation_type': int(self._observation_type), 'discount': self._discount,
                'penalty_for_walls': self._penalty_for_walls, 'reward_goal': self._reward_goal,
                'max_episode_length': self._max_episode_length}

    # dm_env.Environment.

    def observation_spec(self):
        return self._observation_spec

    def action_spec(self) -> specs.DiscreteArray:
        return self._action_spec

    def _observation(self):
        index = self._state_index
        kind = self._observation_type
        if kind is ObservationType.STATE_INDEX:
            return np.int64(index)
        row, column = divmod(index, self._columns)
        if kind is ObservationType.AGENT_ONEHOT:
            observation = np.zeros(self._layout.shape, dtype=np.float32)
            observation[row, column] = 1.0
            return observation
        if kind is ObservationType.GRID:
            observation = self._grid_template.copy()
            observation[row, column, 1] = 1.0
            return observation
        return np.array((row, column) + self._goal_state, dtype=np.float32)

    def _reset(self) -> dm_env.TimeStep:
        self._state_index = self._start_index
        self._episode_steps = 0
        return base.timestep(base.FIRST, None, None, self._observation())

    def _step(self, action: int) -> dm_env.TimeStep:
        index = self._state_index
        self._episode_steps += 1
        step_type = base.MID
        discount = self._discount
        if self._bump_list[index][action]:
            reward = self._penalty_for_walls
        else:
            index = self._next_list[index][action]
            if index == self._goal_index:
                reward, discount, step_type = self._reward_goal, 0.0, base.LAST
                index = self._start_index
            else:
                reward = 0.0
        self._state_index = index
        if (self._max_episode_length is not None
                and self._episode_steps >= self._max_episode_length):
            step_type = base.LAST
        return base.timestep(step_type, reward, discount, self._observation())

    # The tabular model and accessors.

    @property
    def model(self) -> TabularModel:
        """The exact transition, reward and discount tables (see `TabularModel`)."""
        n = self._number_of_states
        transitions = np.zeros((n, 4, n), dtype=np.float64)
        rewards = np.zeros((n, 4), dtype=np.float64)
        discounts = np.zeros((n, 4), dtype=np.float64)
        states = np.flatnonzero(self._layout.reshape(-1) != WALL)
        occupiable = set(states.tolist())
        for index in range(n):
            for action in range(4):
                if index not in occupiable:
                    transitions[index, action, index] = 1.0
                    continue
                target = int(self._next_state[index, action])
                discounts[index, action] = self._discount
                if self._bumps[index, action]:
                    rewards[index, action] = self._penalty_for_walls
                elif target == self._goal_index:
                    rewards[index, action] = self._reward_goal
                    discounts[index, action] = 0.0
                    target = self._start_index
                transitions[index, action, target] = 1.0
        return TabularModel(states, transitions, rewards, discounts)

    @property
    def layout(self) -> np.ndarray:
        """A copy of the layout (-1 wall, 0 free)."""
        return self._layout.copy()

    @property
    def number_of_states(self) -> int:
        """rows * columns: the size of the STATE_INDEX space."""
        return self._number_of_states

    @property
    def start_state(self) -> Position:
        return self._start_state

    @property
    def goal_state(self) -> Position:
        return self._goal_state

    @property
    def state(self) -> Position:
        """The agent's current (row, column)."""
        return divmod(self._state_index, self._columns)

    @property
    def discount(self) -> float:
        return self._discount

    def set_state(self, x, y: Optional[int] = None) -> None:
        """Restores a snapshot, or puts the agent on a cell.

        `set_state(snapshot)` restores a snapshot from `get_state()` (see
        `troupe.environments.base.Environment.set_state`); `set_state(x, y)` puts
        the agent on column `x`, row `y` (the tutorial's argument order) and
        changes nothing else.
        """
        if y is None:
            return super().set_state(x)
        self._state_index = self._index(_check_cell(self._layout, (y, x), 'state'))

    def render(self, q_values: Optional[np.ndarray] = None,
               policy: Optional[np.ndarray] = None, cell_size: int = 20,
               show_agent: bool = True) -> np.ndarray:
        """Draws the grid as an RGB array, optionally with value/policy overlays.

        Args:
            q_values: [rows, columns, 4] or [rows * columns, 4] action values; each
                free cell is coloured by its greedy value (red > 0 > blue).
            policy: [rows, columns] or [rows * columns] actions, drawn as arrows.
            cell_size: pixels per cell.
            show_agent: whether to draw the agent (orange disc).
        """
        return gridworld_plotting.draw(self, q_values, policy, cell_size, show_agent)

    def plot_grid(self, add_start: bool = True):
        """Shows the layout with matplotlib (tutorial compatibility)."""
        image = gridworld_plotting.draw(self, show_agent=False, show_start=add_start)
        return gridworld_plotting.show(image, 'Grid')

    def plot_state(self, return_rgb: bool = False):
        """Shows (or returns, with `return_rgb`) the current state as an image."""
        image = self.render()
        if return_rgb:
            return image
        return gridworld_plotting.show(image, 'State')

    def plot_policy(self, policy: np.ndarray):
        """Shows a [rows, columns] policy as arrows with matplotlib."""
        return gridworld_plotting.show(
                self.render(policy=policy, show_agent=False), 'Policy Visualization')

    def plot_greedy_policy(self, q: np.ndarray):
        """Shows the greedy policy of [rows, columns, 4] action values."""
        q = np.asarray(q)
        policy = np.argmax(q.reshape(-1, 4), axis=-1)
        return gridworld_plotting.show(
                self.render(q_values=q, policy=policy, show_agent=False),
                'Greedy Policy')


def _check_layout(layout) -> np.ndarray:
    try:
        array = np.array(layout)
    except ValueError:  # Rows of different lengths.
        raise errors.InvalidInput(f'layout must be a non-empty 2-D grid of -1 (wall) and 0 '
                                  f'(free) cells, got rows of different lengths: '
                                  f'{layout!r}.') from None
    if array.ndim != 2 or array.size == 0:
        raise errors.InvalidInput(f'layout must be a non-empty 2-D grid, got shape '
                                  f'{array.shape}: {layout!r}.')
    bad = ~np.isin(array, (WALL, FREE))
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise errors.InvalidInput(f'layout cells must be -1 (wall) or 0 (free), got '
                         f'{array[row, column]!r} at ({row}, {column}).')
    return array.astype(np.int64)


def _check_cell(layout: np.ndarray, cell, name: str) -> Position:
    try:
        row, column = (operator.index(v) for v in cell)  # 1.5 is no row.
    except (TypeError, ValueError):
        raise errors.InvalidInput(f'{name} must be a (row, column) pair, got {cell!r}.') from None
    rows, columns = layout.shape
    if not (0 <= row < rows and 0 <= column < columns):
        raise errors.InvalidInput(f'{name} {cell!r} is outside the {rows}x{columns} layout; '
                                  f'expected a row in [0, {rows}) and a column in '
                                  f'[0, {columns}).')
    if layout[row, column] == WALL:
        raise errors.InvalidInput(f'{name} {cell!r} is a wall; expected a free cell.')
    return row, column
