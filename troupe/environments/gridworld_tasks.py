"""The grid-world tasks of the EEML 2021 RL tutorial: 'simple', 'obstacle', 'random_goal'.

Both layouts are 9 rows x 10 columns with a wall border; the agent starts at
(2, 2). 'simple' has a 3x2 block of wall in the middle and its goal at (7, 2)
(shortest path: 5 steps); 'obstacle' adds walls between the start and its
goal at (2, 8) (shortest path: 8 steps); 'random_goal' is 'simple' with the goal
sampled once, from the seed, among the free cells.
"""

from typing import Optional, Sequence

import numpy as np

from troupe import errors

from troupe.environments.gridworld import FREE, WALL, GridWorld, ObservationType

_LAYOUTS = {
    'simple': [
        '##########',
        '#........#',
        '#...##...#',
        '#...##...#',
        '#...##...#',
        '#........#',
        '#........#',
        '#........#',
        '##########',
    ],
    'obstacle': [
        '##########',
        '#.....#..#',
        '#...#....#',
        '#...##...#',
        '#...##...#',
        '#........#',
        '#........#',
        '#........#',
        '##########',
    ],
}

_TASKS = {
    'simple': ('simple', (2, 2), (7, 2)),
    'obstacle': ('obstacle', (2, 2), (2, 8)),
    'random_goal': ('simple', (2, 2), None),
}

TASKS = tuple(_TASKS)


def parse_layout(rows: Sequence[str]) -> np.ndarray:
    """Turns strings of '#' (wall) and '.' (free) into a -1/0 layout."""
    symbols = {'#': WALL, '.': FREE}
    try:
        return np.array([[symbols[c] for c in row] for row in rows], dtype=np.int64)
    except KeyError as error:
        raise ValueError(f'Layout symbols must be "#" or ".", got {error.args[0]!r}.') \
            from None


def build_gridworld_task(task: str,
                         discount: float = 0.9,
                         penalty_for_walls: float = -5,
                         observation_type: ObservationType = ObservationType.STATE_INDEX,
                         max_episode_length: Optional[int] = 200,
                         *,
                         seed: Optional[int] = None) -> GridWorld:
    """Builds one of the tutorial's tasks: 'simple', 'obstacle' or 'random_goal'.

    `random_goal` is `simple` with its goal sampled once from `seed` among the
    free cells other than the start.
    """
    if task not in _TASKS:
        raise errors.InvalidInput(f'Unknown gridworld task {task!r}; expected one of {TASKS}.')
    layout_name, start, goal = _TASKS[task]
    return GridWorld(parse_layout(_LAYOUTS[layout_name]), start, goal,
                     observation_type=observation_type, discount=discount,
                     penalty_for_walls=penalty_for_walls,
                     max_episode_length=max_episode_length, seed=seed)
