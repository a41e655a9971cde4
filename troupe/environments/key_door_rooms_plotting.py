"""Pictures of a `KeyDoorRooms`: the rooms with the agent, and visit heat maps.

`draw` is `KeyDoorRooms.render`; `draw_visits` colours each cell by how often
a list of positions visited it (log-scaled, white for never, dark red for the
most visited), the plot of explored cells of tabular exploration tutorials.
"""

import numpy as np

from troupe import errors
from troupe.environments import rendering

_OPEN_DOOR = (205, 170, 125)


def _check_cell_size(cell_size: int) -> int:
    if isinstance(cell_size, bool) or not isinstance(cell_size, (int, np.integer)) or (
            cell_size < 4):
        raise errors.InvalidInput(f'cell_size must be an integer >= 4 pixels, got '
                                  f'{cell_size!r}.')
    return int(cell_size)


def _finish(env, colors: np.ndarray, cell_size: int, markers: bool) -> np.ndarray:
    """Upscales per-cell colours, adds grid lines and (with `markers`) the objects."""
    pixels = rendering.upscale(colors, cell_size)
    pixels[::cell_size, :] = rendering.GREY
    pixels[:, ::cell_size] = rendering.GREY
    canvas = rendering.Canvas(*pixels.shape[:2])
    canvas.pixels = pixels
    if markers:
        for (row, column), color in ((env.key, rendering.YELLOW), (env.goal, rendering.GREEN)):
            canvas.circle((row + 0.5) * cell_size, (column + 0.5) * cell_size,
                          cell_size * 0.22, color)
        row, column = env.door
        canvas.rectangle(row * cell_size + 1, (column + 0.4) * cell_size,
                         (row + 1) * cell_size - 1, (column + 0.6) * cell_size, rendering.BROWN)
    return canvas.pixels


def draw(env, cell_size: int = 16, show_agent: bool = True) -> np.ndarray:
    """The rooms as RGB, (rows, columns) * cell_size: walls dark grey, the key
    yellow until picked up, the door brown while locked, the goal green."""
    cell_size = _check_cell_size(cell_size)
    colors = np.full(env.walls.shape + (3,), 255, dtype=np.uint8)
    colors[env.walls] = rendering.DARK_GREY
    colors[env.goal] = rendering.GREEN
    colors[env.door] = _OPEN_DOOR if env.has_key else rendering.BROWN
    if not env.has_key:
        colors[env.key] = rendering.YELLOW
    canvas = rendering.Canvas(*(np.array(colors.shape[:2]) * cell_size))
    canvas.pixels = _finish(env, colors, cell_size, markers=False)
    if show_agent:
        row, column = env.position
        canvas.circle((row + 0.5) * cell_size, (column + 0.5) * cell_size, cell_size * 0.35,
                      rendering.ORANGE)
    return canvas.pixels


def visit_counts(env, positions) -> np.ndarray:
    """[rows, columns] int64: how many of `positions` fall on each cell.

    Args:
        env: the `KeyDoorRooms` whose layout the positions are in.
        positions: an array-like of shape [N, 2] of (row, column), or [N, 3] of
            'position' observations (row, column, has_key); N may be 0.

    Raises:
        InvalidInput: for another shape, non-integral values, or a position
            outside the grid or on a wall.
    """
    array = np.asarray(positions, dtype=np.float64)
    if array.size == 0:
        array = array.reshape(0, 2)
    if array.ndim != 2 or array.shape[1] not in (2, 3):
        raise errors.InvalidInput(f'positions must have shape [N, 2] (row, column) or [N, 3] '
                                  f'(row, column, has_key), got shape {array.shape}.')
    cells = array[:, :2]
    if not np.all(np.isfinite(cells)) or not np.all(cells == np.round(cells)):
        raise errors.InvalidInput('positions must hold integral rows and columns, got '
                                  f'{cells[~np.all(cells == np.round(cells), axis=1)][:3]!r}.')
    cells = cells.astype(np.int64)
    walls = env.walls
    rows, columns = walls.shape
    outside = ((cells < 0) | (cells >= (rows, columns))).any(axis=1)
    if outside.any():
        raise errors.InvalidInput(f'position {tuple(cells[outside][0])} is outside the '
                                  f'{rows}x{columns} grid.')
    on_wall = walls[cells[:, 0], cells[:, 1]]
    if on_wall.any():
        raise errors.InvalidInput(f'position {tuple(cells[on_wall][0])} is a wall; expected '
                                  f'free cells.')
    counts = np.zeros((rows, columns), dtype=np.int64)
    np.add.at(counts, (cells[:, 0], cells[:, 1]), 1)
    return counts


def draw_visits(env, positions, cell_size: int = 16) -> np.ndarray:
    """A visit-count heat map over the layout (see `visit_counts` for `positions`).

    Cells are coloured by log(1 + count) / log(1 + the largest count): white for
    never visited, dark red for the most visited; walls dark grey. Small discs
    mark the key (yellow) and the goal (green), a bar the door (brown).
    """
    cell_size = _check_cell_size(cell_size)
    counts = visit_counts(env, positions)
    largest = counts.max()
    scaled = np.log1p(counts) / np.log1p(largest) if largest else np.zeros(counts.shape)
    colors = rendering.heat_colors(scaled)
    colors[env.walls] = rendering.DARK_GREY
    return _finish(env, colors, cell_size, markers=True)
