"""Pictures of a `GridWorld`: the grid, the agent, and value/policy overlays.

`draw` returns an RGB array (used by `GridWorld.render`); `show` puts an image
in a matplotlib figure for the tutorial-style `plot_*` methods, importing
matplotlib only then.
"""

from typing import Optional

import numpy as np

from troupe.environments import rendering

_START_COLOR = (170, 200, 240)
_ARROW_COLOR = rendering.BLACK


def _per_cell(values: np.ndarray, rows: int, columns: int, trailing: tuple,
              name: str) -> np.ndarray:
    values = np.asarray(values)
    if values.shape == (rows * columns,) + trailing:
        values = values.reshape((rows, columns) + trailing)
    if values.shape != (rows, columns) + trailing:
        raise ValueError(f'{name} must have shape {(rows, columns) + trailing} or '
                         f'{(rows * columns,) + trailing}, got {values.shape}.')
    return values


def _arrow(canvas: rendering.Canvas, top: float, left: float, size: float,
           action: int) -> None:
    """A triangle pointing up/right/down/left inside the cell at (top, left)."""
    cy, cx = top + size / 2, left + size / 2
    r = size * 0.3
    tips = {0: [(cy - r, cx), (cy + r, cx - r), (cy + r, cx + r)],
            1: [(cy, cx + r), (cy - r, cx - r), (cy + r, cx - r)],
            2: [(cy + r, cx), (cy - r, cx - r), (cy - r, cx + r)],
            3: [(cy, cx - r), (cy - r, cx + r), (cy + r, cx + r)]}
    if action not in tips:
        raise ValueError(f'policy actions must be 0, 1, 2 or 3, got {action!r}.')
    canvas.polygon(tips[action], _ARROW_COLOR)


def draw(env, q_values: Optional[np.ndarray] = None,
         policy: Optional[np.ndarray] = None, cell_size: int = 20,
         show_agent: bool = True, show_start: bool = True) -> np.ndarray:
    """Returns an RGB picture of `env` (a `GridWorld`), (rows, columns) * cell_size."""
    if cell_size < 4:
        raise ValueError(f'cell_size must be >= 4 pixels, got {cell_size}.')
    layout = env.layout
    rows, columns = layout.shape
    canvas = rendering.Canvas(rows * cell_size, columns * cell_size, rendering.WHITE)
    free = layout != -1
    colors = np.full((rows, columns, 3), 255, dtype=np.uint8)
    colors[~free] = rendering.DARK_GREY
    if q_values is not None:
        values = _per_cell(q_values, rows, columns, (4,), 'q_values').max(axis=-1)
        scale = float(np.abs(values[free]).max()) if free.any() else 0.0
        for row, column in zip(*np.nonzero(free)):
            colors[row, column] = rendering.diverging_color(values[row, column], scale)
    elif show_start:
        colors[env.start_state] = _START_COLOR
    colors[env.goal_state] = rendering.GREEN
    canvas.pixels[...] = rendering.upscale(colors, cell_size)
    # Grid lines between cells.
    canvas.pixels[::cell_size, :] = rendering.GREY
    canvas.pixels[:, ::cell_size] = rendering.GREY
    if policy is not None:
        actions = _per_cell(policy, rows, columns, (), 'policy')
        for row, column in zip(*np.nonzero(free)):
            if (row, column) != env.goal_state:
                _arrow(canvas, row * cell_size, column * cell_size, cell_size,
                       int(actions[row, column]))
    if show_agent:
        row, column = env.state
        canvas.circle((row + 0.5) * cell_size, (column + 0.5) * cell_size,
                      cell_size * 0.35, rendering.ORANGE)
    return canvas.pixels


def show(image: np.ndarray, title: str):
    """Shows `image` in a new matplotlib figure; returns the figure."""
    import matplotlib.pyplot as plt  # Only the plotting helpers need matplotlib.
    figure = plt.figure(figsize=(4, 4))
    plt.imshow(image, interpolation='nearest')
    plt.xticks([])
    plt.yticks([])
    plt.title(title)
    return figure
