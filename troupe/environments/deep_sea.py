"""DeepSea: a hard-exploration chain (bsuite's rules) on an N x N grid.

The agent starts in the top-left cell and descends one row per step, moving
one column left or right (stopping at the left edge). In each cell a fixed,
seeded coin decides which action number means "right". Going right costs
0.01 / N; the single treasure, +1, is paid for going right from the bottom-right
cell, which only the one all-right path of N steps reaches. Dithering
exploration finds it with probability 2^-N: the agent must explore deeply.
Observations are the N x N grid with a 1 on the agent (all zeros after the
last step). Episodes last exactly N steps and terminate (discount 0).
"""

from typing import Optional

import dm_env
import numpy as np
from dm_env import specs

from troupe.environments import arguments, base, rendering


class DeepSea(base.Environment):
    """The DeepSea exploration benchmark."""

    _STATE_ATTRIBUTES = ('_row', '_column')

    def __init__(self, size: int = 10, move_cost: float = 0.01,
                 randomize_actions: bool = True, *, seed: Optional[int] = None):
        """Builds the chain.

        Args:
            size: N, the side of the grid and the episode length.
            move_cost: the total cost of going right N times (each right costs
                move_cost / N), so the best return is 1 - move_cost.
            randomize_actions: draw which action is "right" per cell from `seed`;
                if False, action 1 is always right.
            seed: seeds the action mapping.
        """
        super().__init__(seed)
        size = arguments.check_int('DeepSea size', size, 1)
        self._size = size
        self._move_cost = arguments.check_number('move_cost', move_cost)
        if arguments.check_bool('randomize_actions', randomize_actions):
            self._right_action = self._rng.integers(0, 2, size=(size, size))
        else:
            self._right_action = np.ones((size, size), dtype=np.int64)
        self._right_list = self._right_action.tolist()
        self._row = 0
        self._column = 0
        self._observation_spec = specs.BoundedArray((size, size), np.float32, 0.0, 1.0,
                                                    name='observation')
        self._action_spec = specs.DiscreteArray(2, dtype=np.int64, name='action')

    def _state_config(self) -> dict:
        return {'size': self._size, 'move_cost': self._move_cost,
                'right_actions': self._right_action}

    def observation_spec(self) -> specs.BoundedArray:
        return self._observation_spec

    def action_spec(self) -> specs.DiscreteArray:
        return self._action_spec

    @property
    def right_actions(self) -> np.ndarray:
        """[N, N]: the action that moves right in each cell."""
        return self._right_action.copy()

    @property
    def optimal_return(self) -> float:
        return 1.0 - self._move_cost

    def _observation(self) -> np.ndarray:
        observation = np.zeros((self._size, self._size), dtype=np.float32)
        if self._row < self._size:
            observation[self._row, self._column] = 1.0
        return observation

    def _reset(self) -> dm_env.TimeStep:
        self._row = 0
        self._column = 0
        return base.timestep(base.FIRST, None, None, self._observation())

    def _step(self, action: int) -> dm_env.TimeStep:
        reward = 0.0
        if action == self._right_list[self._row][self._column]:
            if self._column == self._size - 1:
                reward += 1.0
            reward -= self._move_cost / self._size
            self._column = min(self._column + 1, self._size - 1)
        else:
            self._column = max(self._column - 1, 0)
        self._row += 1
        if self._row == self._size:
            return base.timestep(base.LAST, reward, 0.0, self._observation())
        return base.timestep(base.MID, reward, 1.0, self._observation())

    def render(self, cell_size: int = 16) -> np.ndarray:
        """The grid (the treasure cell green) with the agent in orange."""
        n = self._size
        colors = np.full((n, n, 3), 255, dtype=np.uint8)
        colors[np.tril(np.ones((n, n), dtype=bool))] = rendering.LIGHT_GREY
        colors[n - 1, n - 1] = rendering.GREEN
        if self._row < n:
            colors[self._row, self._column] = rendering.ORANGE
        return rendering.upscale(colors, cell_size)
