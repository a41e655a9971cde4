"""Catch, with bsuite's rules: a paddle must catch a ball falling down a board.

The board has `rows` x `columns` cells (10 x 5). A ball starts in a random
column of the top row and falls one row per step; the paddle sits in the
middle of the bottom row and moves left (action 0), stays (1) or moves right
(2), stopping at the edges. When the ball reaches the bottom row the episode
terminates with +1 if the paddle is under it and -1 otherwise; every earlier
step pays 0. Observations are the board with 1 on the ball and the paddle.
"""

from typing import Optional

import dm_env
import numpy as np
from dm_env import specs

from troupe.environments import arguments, base, rendering

_MOVES = (-1, 0, 1)  # Left, stay, right.


class Catch(base.Environment):
    """The bsuite Catch game."""

    _STATE_ATTRIBUTES = ('_ball_row', '_ball_column', '_paddle_column', '_total_regret')

    def __init__(self, rows: int = 10, columns: int = 5, *, seed: Optional[int] = None):
        """Builds the board.

        Args:
            rows: board height (>= 2); an episode lasts rows - 1 steps.
            columns: board width (>= 1).
            seed: seeds the ball's starting columns.
        """
        super().__init__(seed)
        rows = arguments.check_int('Catch rows', rows, 2)
        columns = arguments.check_int('Catch columns', columns, 1)
        self._rows = rows
        self._columns = columns
        self._ball_row = 0
        self._ball_column = 0
        self._paddle_column = columns // 2
        self._total_regret = 0.0
        self._observation_spec = specs.BoundedArray((rows, columns), np.float32, 0.0, 1.0,
                                                    name='board')
        self._action_spec = specs.DiscreteArray(3, dtype=np.int64, name='action')

    def _state_config(self) -> dict:
        return {'rows': self._rows, 'columns': self._columns}

    def observation_spec(self) -> specs.BoundedArray:
        return self._observation_spec

    def action_spec(self) -> specs.DiscreteArray:
        """0 left, 1 stay, 2 right."""
        return self._action_spec

    @property
    def total_regret(self) -> float:
        """Sum over finished episodes of (1 - return), as bsuite counts it."""
        return self._total_regret

    def _observation(self) -> np.ndarray:
        board = np.zeros((self._rows, self._columns), dtype=np.float32)
        board[self._ball_row, self._ball_column] = 1.0
        board[self._rows - 1, self._paddle_column] = 1.0
        return board

    def _reset(self) -> dm_env.TimeStep:
        self._ball_row = 0
        self._ball_column = int(self._rng.integers(self._columns))
        self._paddle_column = self._columns // 2
        return base.timestep(base.FIRST, None, None, self._observation())

    def _step(self, action: int) -> dm_env.TimeStep:
        self._paddle_column = min(max(self._paddle_column + _MOVES[action], 0),
                                  self._columns - 1)
        self._ball_row += 1
        if self._ball_row == self._rows - 1:
            reward = 1.0 if self._paddle_column == self._ball_column else -1.0
            self._total_regret += 1.0 - reward
            return base.timestep(base.LAST, reward, 0.0, self._observation())
        return base.timestep(base.MID, 0.0, 1.0, self._observation())

    def render(self, cell_size: int = 20) -> np.ndarray:
        """The board with the ball in red and the paddle in blue."""
        colors = np.full((self._rows, self._columns, 3), 255, dtype=np.uint8)
        colors[self._ball_row, self._ball_column] = rendering.RED
        colors[self._rows - 1, self._paddle_column] = rendering.BLUE
        return rendering.upscale(colors, cell_size)
