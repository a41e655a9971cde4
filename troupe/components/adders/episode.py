"""The episode adder: each whole episode becomes one item of `Step`s."""

import numbers
from typing import Any, Callable, List, Optional, Tuple

import numpy as np
import reverb

from troupe import specs
from troupe import types
from troupe.components.adders import base
from troupe.components.adders import steps

# padding_fn(shape, dtype) -> array used to fill the steps after an episode.
PaddingFn = Callable[[Tuple[int, ...], np.dtype], np.ndarray]


class EpisodeAdder(steps.StepAdder):
    """Writes each episode, final observation included, as one `Step` item.

    An episode of T actions gives T + 1 steps, so it may have at most
    `max_sequence_length - 1` actions. With a `padding_fn` every item is
    padded to exactly `max_sequence_length` steps.
    """

    def __init__(self,
                 client: reverb.Client,
                 max_sequence_length: int,
                 *,
                 delta_encoded: bool = False,
                 priority_fns: Optional[base.PriorityFnMapping] = None,
                 max_in_flight_items: int = 1,
                 padding_fn: Optional[PaddingFn] = None,
                 chunk_length: Optional[int] = None,
                 validate_items: bool = True):
        """Creates an episode adder.

        Args:
          client: a client of the Reverb server to write to.
          max_sequence_length: the most steps (observations) an episode may have.
          delta_encoded: accepted for compatibility with Acme; unused.
          priority_fns: table name -> priority function of the episode (a `Step`
            of numpy arrays with a time dimension) or None for 1.0.
          max_in_flight_items: items allowed to wait for the server before
            `add` blocks.
          padding_fn: if given, `padding_fn(shape, dtype)` fills the steps after
            the episode (start_of_episode False) up to `max_sequence_length`.
          chunk_length: deprecated and unused, as in Acme.
          validate_items: whether items are checked against the table signature.
        """
        del delta_encoded, chunk_length  # Unused, as in Acme.
        if isinstance(max_sequence_length, bool) or not isinstance(
                max_sequence_length, numbers.Integral) or max_sequence_length < 2:
            raise ValueError('max_sequence_length must be an integer >= 2 (one '
                             'action and the final observation), got '
                             f'{max_sequence_length!r}.')
        self._max_sequence_length = int(max_sequence_length)
        self._padding_fn = padding_fn
        super().__init__(client, num_keep_alive_refs=self._max_sequence_length,
                         priority_fns=priority_fns,
                         max_in_flight_items=max_in_flight_items,
                         validate_items=validate_items)

    def _check_capacity(self):
        if self._num_rows >= self._max_sequence_length - 1:
            raise ValueError(
                f'The episode already has {self._num_rows} steps; with this one '
                f'and the final observation it would have at least '
                f'{self._num_rows + 2}, more than max_sequence_length='
                f'{self._max_sequence_length}.')

    def _on_episode_end(self, final_row: List[Any]):
        if self._padding_fn is not None and \
                self._num_rows < self._max_sequence_length:
            padding_row = [
                False if i == self._start_of_episode_column()
                else self._padding_fn(np.shape(x), np.asarray(x).dtype)
                for i, x in enumerate(final_row)]
            while self._num_rows < self._max_sequence_length:
                self._append_row(padding_row)
        self._write_latest(self._num_rows)

    def _start_of_episode_column(self) -> int:
        layout = self._layout
        return (layout.num_obs + layout.num_actions + layout.num_rewards
                + layout.num_discounts)

    @classmethod
    def signature(cls, environment_spec: specs.EnvironmentSpec,
                  extras_spec: types.NestedSpec = (),
                  sequence_length: Optional[int] = None) -> base.Step:
        """The table signature: a `Step` of `tf.TensorSpec`s with a time axis.

        Pass `sequence_length=max_sequence_length` when padding, else None.
        """
        return steps.step_signature(environment_spec, extras_spec,
                                    sequence_length)
