"""The progress line of `troupe train`: steps, episodes, recent return, speed, updates.

`Progress` is both an `EnvironmentLoop` observer (it counts every step, cheaply,
and refreshes the line every few hundred steps) and a logger (it receives each
finished episode). On a terminal the line is redrawn in place with a carriage
return; otherwise (a pipe, a file, a test) a full line is printed at every tenth
of the budget.

On a `BatchedEnvironment` (`troupe train --num-envs N`) the loop gives each copy
its own copy of every observer, so `Progress` is not an observer there:
`StepCountingActor` wraps the batched actor and counts the env steps of each
batch step instead (`Progress.count_steps`).
"""

import collections
import sys
import time
from typing import Callable, Optional, TextIO, Tuple

import dm_env
import numpy as np

from troupe import core, types
from troupe.components import counting

_CHECK_EVERY_STEPS = 64     # Steps between looks at the clock.
_REDRAW_SECONDS = 0.25      # Minimum seconds between redraws on a terminal.


def format_duration(seconds: float) -> str:
    seconds = int(round(max(seconds, 0.0)))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{seconds:02d}' if hours else f'{minutes}:{seconds:02d}'


class Progress(core.Saveable):
    """Counts steps and episodes of a training loop and shows them on one line.

    `save()`/`restore()` keep its counts, training seconds and recent returns
    across a resumed run.

    `periodic` is called every few dozen steps (e.g. a checkpointer's `save`,
    which writes only when its interval has passed).
    """

    def __init__(self,
                 total_steps: Optional[int] = None,
                 total_episodes: Optional[int] = None,
                 learner_updates: Callable[[], Optional[int]] = lambda: None,
                 stream: Optional[TextIO] = None,
                 interactive: Optional[bool] = None,
                 window: int = 20,
                 periodic: Callable[[], None] = lambda: None):
        self._total_steps = total_steps
        self._total_episodes = total_episodes
        self._learner_updates = learner_updates
        self._periodic = periodic
        self._stream = stream if stream is not None else sys.stdout
        if interactive is None:
            interactive = bool(getattr(self._stream, 'isatty', lambda: False)())
        self._interactive = interactive
        self._returns = collections.deque(maxlen=window)
        self._window = window
        self.steps = 0
        self.episodes = 0
        self._next_check = _CHECK_EVERY_STEPS
        self._start = time.monotonic()
        self._excluded = 0.0
        self._last_draw = -np.inf
        self._next_tenth = 1
        self._width = 0

    # ------------------------------------------------------------ observer API

    def observe_first(self, env: dm_env.Environment, timestep: dm_env.TimeStep) -> None:
        del env, timestep

    def observe(self, env: dm_env.Environment, timestep: dm_env.TimeStep,
                action) -> None:
        del env, timestep, action
        self.steps += 1
        if self.steps >= self._next_check:
            self._tick()

    def count_steps(self, steps: int) -> None:
        """Counts `steps` env steps at once (e.g. those of one batch step)."""
        self.steps += steps
        if self.steps >= self._next_check:
            self._tick()

    def _tick(self) -> None:
        self._next_check = self.steps + _CHECK_EVERY_STEPS
        self._periodic()
        self._maybe_draw()

    def get_metrics(self) -> dict:
        return {}

    # -------------------------------------------------------------- logger API

    def write(self, data) -> None:
        self.episodes += 1
        self._returns.append(float(np.sum(data['episode_return'])))
        self._maybe_draw()

    def close(self) -> None:
        pass

    # ------------------------------------------------------------------ timing

    def exclude(self, seconds: float) -> None:
        """Leaves `seconds` (e.g. spent evaluating) out of the training time."""
        self._excluded += seconds

    def save(self) -> dict:
        return {'steps': self.steps, 'episodes': self.episodes,
                'seconds': self.seconds, 'returns': list(self._returns)}

    def restore(self, state: dict) -> None:
        """Continues from a `save()` state: counts, training time, returns."""
        self.steps = int(state['steps'])
        self.episodes = int(state['episodes'])
        self._start = time.monotonic() - float(state['seconds'])
        self._excluded = 0.0
        self._returns.clear()
        self._returns.extend(float(r) for r in state['returns'])
        self._next_check = self.steps + _CHECK_EVERY_STEPS
        fraction = self._fraction()
        if fraction is not None:
            self._next_tenth = int(fraction * 10) + 1

    @property
    def seconds(self) -> float:
        """Training seconds so far (wall time minus excluded time)."""
        return time.monotonic() - self._start - self._excluded

    @property
    def recent_return(self) -> Optional[float]:
        return float(np.mean(self._returns)) if self._returns else None

    # ----------------------------------------------------------------- drawing

    def _done_of_total(self) -> Optional[Tuple[int, int]]:
        if self._total_steps:
            return self.steps, self._total_steps
        if self._total_episodes:
            return self.episodes, self._total_episodes
        return None

    def _fraction(self) -> Optional[float]:
        done_of_total = self._done_of_total()
        if done_of_total is None:
            return None
        return min(done_of_total[0] / done_of_total[1], 1.0)

    def line(self) -> str:
        """The progress line as it would be drawn now."""
        seconds = self.seconds
        parts = []
        fraction = self._fraction()
        if fraction is not None:
            parts.append(f'{100 * fraction:3.0f}%')
        steps = f'steps {self.steps:,}'
        if self._total_steps:
            steps += f'/{self._total_steps:,}'
        parts.append(steps)
        episodes = f'episodes {self.episodes:,}'
        if self._total_episodes:
            episodes += f'/{self._total_episodes:,}'
        parts.append(episodes)
        recent = self.recent_return
        if recent is not None:
            parts.append(f'return {recent:.2f} (last {len(self._returns)})')
        if seconds > 0:
            parts.append(f'{self.steps / seconds:,.0f} steps/s')
        updates = self._learner_updates()
        if updates is not None:
            parts.append(f'updates {updates:,}')
        elapsed = format_duration(seconds)
        if fraction:
            left = seconds * (1.0 - fraction) / fraction
            elapsed += f' (~{format_duration(left)} left)'
        parts.append(elapsed)
        return ' | '.join(parts)

    def _maybe_draw(self) -> None:
        if self._interactive:
            now = time.monotonic()
            if now - self._last_draw >= _REDRAW_SECONDS:
                self._last_draw = now
                self._draw()
            return
        done_of_total = self._done_of_total()
        if done_of_total is None:
            return
        done, total = done_of_total
        tenths = done * 10 // total
        if tenths >= self._next_tenth:
            self._next_tenth = tenths + 1
            if done < total:
                self._print(self.line())

    def _draw(self) -> None:
        line = self.line()
        padding = max(self._width - len(line), 0)
        self._width = len(line)
        self._stream.write('\r' + line + ' ' * padding)
        self._stream.flush()

    def _print(self, line: str) -> None:
        self._stream.write(line + '\n')
        self._stream.flush()

    def finish(self) -> None:
        """Draws the final state and ends the line."""
        if self._interactive:
            self._draw()
            self._stream.write('\n')
            self._stream.flush()
        else:
            self._print(self.line())


class StepCountingActor(core.Actor):
    """A batched actor that also tells a `Progress` the env steps it observes.

    Forwards every call to `actor`, which acts on a `BatchedEnvironment` of
    `num_envs` copies; each `observe` of a batch counts its copies that took a
    real step (not those just reset, FIRST), as the loop counts them.
    """

    batched = True  # What `EnvironmentLoop` checks: this actor acts on batches.

    def __init__(self, actor: core.Actor, progress: Progress, num_envs: int):
        self._actor = actor
        self._progress = progress
        self.num_envs = int(num_envs)

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        return self._actor.select_action(observation)

    def observe_first(self, timestep: dm_env.TimeStep) -> None:
        self._actor.observe_first(timestep)

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep) -> None:
        self._actor.observe(action, next_timestep)
        self._progress.count_steps(counting.count_env_steps(next_timestep.step_type))

    def update(self, wait: bool = False) -> None:
        self._actor.update(wait)
