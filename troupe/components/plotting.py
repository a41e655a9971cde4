"""Learning curves from CSV logs: as PNG figures (matplotlib) and as terminal text.

A curve is episode returns against the environment steps at which the episodes
ended (the `steps` and `episode_return` columns `EnvironmentLoop` logs). Several
runs of one group (e.g. seeds of one agent on one environment) are drawn as their
mean with a band of ± one standard deviation, one colour per group.

Figures are drawn on matplotlib's Agg canvas directly, without pyplot, so
plotting never changes the backend of a notebook or a GUI session.
"""

import csv
import dataclasses
import math
import os
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

DEFAULT_SIZE = (800, 500)   # Pixels of a figure (width, height).
DEFAULT_DPI = 100


@dataclasses.dataclass
class Run:
    """One run's curve: episode returns at the env steps their episodes ended.

    `evaluations` optionally holds (env steps, mean evaluation return) points.
    """
    steps: np.ndarray
    returns: np.ndarray
    label: str = ''
    evaluations: Optional[Tuple[np.ndarray, np.ndarray]] = None


def read_csv(path: str) -> Dict[str, np.ndarray]:
    """Numeric columns of a CSV file with a header; empty or text cells are NaN."""
    with open(path, newline='', encoding='utf-8') as file:
        rows = list(csv.reader(file))
    if not rows:
        return {}
    header, body = rows[0], rows[1:]
    columns: Dict[str, np.ndarray] = {}
    for index, name in enumerate(header):
        values = []
        for row in body:
            try:
                values.append(float(row[index]))
            except (IndexError, ValueError):
                values.append(math.nan)
        columns[name] = np.asarray(values, dtype=np.float64)
    return columns


def read_run(path: str, label: str = '', steps_key: str = 'steps',
             return_key: str = 'episode_return') -> Run:
    """The `Run` in an episode log (e.g. `<logdir>/logs/actor/logs.csv`).

    Raises:
      ValueError: if the file lacks the steps or return column.
    """
    columns = read_csv(path)
    missing = [key for key in (steps_key, return_key) if key not in columns]
    if missing:
        raise ValueError(f'{path} has no column {missing[0]!r}; its columns are '
                         f'{sorted(columns)}.')
    steps, returns = columns[steps_key], columns[return_key]
    keep = np.isfinite(steps) & np.isfinite(returns)
    return Run(steps[keep], returns[keep], label)


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """The mean of each value and up to `window - 1` values before it."""
    values = np.asarray(values, dtype=np.float64)
    if window < 1:
        raise ValueError(f'window must be >= 1, got {window}.')
    if values.size == 0:
        return values
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, values.size + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def _group_band(runs: Sequence[Run], window: int, points: int = 200
                ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(steps grid, mean, std) of the runs' smoothed curves where all have data."""
    starts = [run.steps[0] for run in runs]
    ends = [run.steps[-1] for run in runs]
    low, high = max(starts), min(ends)
    if high <= low:
        high = low
    grid = np.linspace(low, high, points)
    curves = np.stack([np.interp(grid, run.steps, moving_average(run.returns, window))
                       for run in runs])
    return grid, curves.mean(axis=0), curves.std(axis=0)


def plot_learning_curves(groups: Mapping[str, Sequence[Run]], path: str, *,
                         title: str = '', window: int = 10,
                         size: Tuple[int, int] = DEFAULT_SIZE,
                         dpi: int = DEFAULT_DPI) -> str:
    """Writes a PNG of return against environment steps, one colour per group.

    A group of one run shows its episode returns as faint dots and their moving
    average (over `window` episodes) as a line; a group of several runs shows the
    mean of their moving averages with a ± one standard deviation band, over the
    steps all of them reached. Evaluation points are drawn as markers.

    Returns:
      `path`.
    """
    from matplotlib import colors as mpl_colors
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    non_empty = {name: [run for run in runs if run.steps.size]
                 for name, runs in groups.items()}
    if not any(non_empty.values()):
        raise ValueError('No episodes to plot: every run has an empty episode log.')
    figure = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    # The Tableau palette by value, not 'C0', 'C1', ...: those follow the global
    # rcParams colour cycle, which other libraries (e.g. plotnine) may change.
    palette = list(mpl_colors.TABLEAU_COLORS.values())
    colours = [palette[i % len(palette)] for i in range(len(non_empty))]
    for colour, (name, runs) in zip(colours, non_empty.items()):
        if not runs:
            continue
        if len(runs) == 1:
            run = runs[0]
            axes.plot(run.steps, run.returns, '.', color=colour, alpha=0.2,
                      markersize=3)
            axes.plot(run.steps, moving_average(run.returns, window), color=colour,
                      label=f'{name} (mean of {window} episodes)')
        else:
            grid, mean, std = _group_band(runs, window)
            axes.plot(grid, mean, color=colour,
                      label=f'{name} (mean ± std of {len(runs)} runs)')
            axes.fill_between(grid, mean - std, mean + std, color=colour, alpha=0.2)
        for run in runs:
            if run.evaluations is not None and len(run.evaluations[0]):
                axes.plot(run.evaluations[0], run.evaluations[1], 'o', color=colour,
                          markeredgecolor='black', label=f'{name}: greedy evaluation')
    axes.set_xlabel('environment steps')
    axes.set_ylabel('episode return')
    if title:
        axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(loc='best', fontsize='small')
    figure.tight_layout()
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    figure.savefig(path, dpi=dpi, format='png')
    return path


def text_learning_curve(steps: Sequence[float], returns: Sequence[float],
                        rows: int = 10, width: int = 30) -> List[str]:
    """The curve as lines of text: mean return of the episodes ending in each of
    `rows` equal spans of environment steps, with a bar from the lowest mean
    (empty) to the highest (full)."""
    steps = np.asarray(steps, dtype=np.float64)
    returns = np.asarray(returns, dtype=np.float64)
    if steps.size == 0:
        return ['(no finished episodes)']
    edges = np.linspace(0.0, steps.max(), rows + 1)
    bins = np.clip(np.searchsorted(edges, steps, side='left') - 1, 0, rows - 1)
    table = []
    for index in range(rows):
        members = returns[bins == index]
        if members.size:
            table.append((int(edges[index + 1]), int(members.size),
                          float(members.mean())))
    low = min(mean for _, _, mean in table)
    high = max(mean for _, _, mean in table)
    lines = [f'{"env steps":>11} {"episodes":>9} {"mean return":>12}']
    for end, count, mean in table:
        fraction = 1.0 if high <= low else (mean - low) / (high - low)
        filled = int(round(fraction * width))
        lines.append(f'{end:>11,d} {count:>9d} {mean:>12.2f}  '
                     + '█' * filled + '·' * (width - filled))
    return lines
