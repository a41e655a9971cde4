"""The sequence adder: fixed-length runs of `Step`s every `period` steps."""

import enum
import numbers
from typing import Any, List, Optional

import reverb

from troupe import specs
from troupe import types
from troupe.components.adders import base
from troupe.components.adders import steps
from troupe.components.adders import utils


class EndBehavior(enum.Enum):
    """What a `SequenceAdder` writes when an episode ends.

    With sequence_length 3 and period 2, an episode of rows 1..6 (row 6 is the
    final observation, the step after LAST) has sequences written at rows 3 and
    5 (1 2 3, then 3 4 5); the last item of the episode is:

      WRITE     4 5 6    the latest full-length sequence, off the period (none
                         if the episode is shorter than the sequence length).
      CONTINUE  5 6 F    sequences run on into the next episode (F: its first
                         row), written only when the period says so.
      ZERO_PAD  5 6 0    padded with zero steps up to the next period point.
      TRUNCATE  5 6      cut short at the episode's end.
    """
    WRITE = 'write_buffer'
    CONTINUE = 'continue_to_next_episode'
    ZERO_PAD = 'zero_pad_til_next_write'
    TRUNCATE = 'write_truncated_buffer'


def _resolve_end_behavior(end_of_episode_behavior: Optional[EndBehavior],
                          pad_end_of_episode: Optional[bool],
                          break_end_of_episode: Optional[bool]) -> EndBehavior:
    """Maps the deprecated pad/break flags onto `EndBehavior`, as Acme does."""
    deprecated_given = (pad_end_of_episode is not None
                        or break_end_of_episode is not None)
    if end_of_episode_behavior is not None:
        if deprecated_given:
            raise ValueError(
                'Pass either end_of_episode_behavior or the deprecated '
                'pad_end_of_episode/break_end_of_episode, not both; got '
                f'end_of_episode_behavior={end_of_episode_behavior}, '
                f'pad_end_of_episode={pad_end_of_episode}, '
                f'break_end_of_episode={break_end_of_episode}.')
        if not isinstance(end_of_episode_behavior, EndBehavior):
            raise ValueError('end_of_episode_behavior must be an EndBehavior, '
                             f'got {end_of_episode_behavior!r}.')
        return end_of_episode_behavior
    pad = True if pad_end_of_episode is None else pad_end_of_episode
    breaks = True if break_end_of_episode is None else break_end_of_episode
    if not breaks:
        if pad_end_of_episode:
            raise ValueError('pad_end_of_episode=True needs break_end_of_episode'
                             '=True; sequences that continue are never padded.')
        return EndBehavior.CONTINUE
    return EndBehavior.ZERO_PAD if pad else EndBehavior.TRUNCATE


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < 1:
        raise ValueError(f'{name} must be an integer >= 1, got {value!r}.')
    return int(value)


class SequenceAdder(steps.StepAdder):
    """Writes `Step` sequences of `sequence_length` steps, one every `period`.

    The first sequence of an episode is written once it has `sequence_length`
    steps, then one every `period` steps (overlapping when period < length).
    What happens at the end of an episode is set by `end_of_episode_behavior`
    (see `EndBehavior`).
    """

    def __init__(self,
                 client: reverb.Client,
                 sequence_length: int,
                 period: int,
                 *,
                 delta_encoded: bool = False,
                 priority_fns: Optional[base.PriorityFnMapping] = None,
                 max_in_flight_items: int = 2,
                 end_of_episode_behavior: Optional[EndBehavior] = None,
                 chunk_length: Optional[int] = None,
                 pad_end_of_episode: Optional[bool] = None,
                 break_end_of_episode: Optional[bool] = None,
                 validate_items: bool = True):
        """Creates a sequence adder.

        Args:
          client: a client of the Reverb server to write to.
          sequence_length: the number of steps in each sequence.
          period: steps between the starts of consecutive sequences.
          delta_encoded: accepted for compatibility with Acme; unused.
          priority_fns: table name -> priority function of the sequence (a
            `Step` of numpy arrays with a time dimension) or None for 1.0.
          max_in_flight_items: items allowed to wait for the server before
            `add` blocks.
          end_of_episode_behavior: an `EndBehavior`; None means ZERO_PAD unless
            the deprecated flags below are given.
          chunk_length: deprecated and unused, as in Acme.
          pad_end_of_episode: deprecated; False means TRUNCATE.
          break_end_of_episode: deprecated; False means CONTINUE.
          validate_items: whether items are checked against the table signature.
        """
        del delta_encoded, chunk_length  # Unused, as in Acme.
        self._sequence_length = _positive_int('sequence_length', sequence_length)
        self._period = _positive_int('period', period)
        self._end_of_episode_behavior = _resolve_end_behavior(
            end_of_episode_behavior, pad_end_of_episode, break_end_of_episode)
        super().__init__(client, num_keep_alive_refs=self._sequence_length,
                         priority_fns=priority_fns,
                         max_in_flight_items=max_in_flight_items,
                         validate_items=validate_items)

    @property
    def end_of_episode_behavior(self) -> EndBehavior:
        return self._end_of_episode_behavior

    def reset(self, timeout_ms: Optional[int] = None):
        if self._end_of_episode_behavior is EndBehavior.CONTINUE:
            # Sequences run across episodes: keep the writer's history.
            self._in_episode = False
            self._pending_obs = None
            return
        super().reset(timeout_ms)

    def _period_reached(self) -> bool:
        rows, length = self._num_rows, self._sequence_length
        return rows == length or (
            rows > length and (rows - length) % self._period == 0)

    def _on_step(self):
        if self._period_reached():
            self._write_latest(self._sequence_length)

    def _on_episode_end(self, final_row: List[Any]):
        behavior, length = self._end_of_episode_behavior, self._sequence_length
        if behavior is EndBehavior.CONTINUE:
            if self._period_reached():
                self._write_latest(length)
            return
        if behavior is EndBehavior.WRITE:
            if self._num_rows >= length:
                self._write_latest(length)
            return
        # Steps until the next write would have been due.
        delta = length - self._num_rows
        if delta < 0:
            delta %= self._period
        if delta >= length:
            # Only when period > length: the next sequence would hold no step
            # of this episode, so there is nothing to write.
            return
        if behavior is EndBehavior.TRUNCATE:
            self._write_latest(length - delta)
            return
        zero_row = utils.zeros_like_leaves(final_row)
        for _ in range(delta):
            self._append_row(zero_row)
        self._write_latest(length)

    @classmethod
    def signature(cls, environment_spec: specs.EnvironmentSpec,
                  extras_spec: types.NestedSpec = (),
                  sequence_length: Optional[int] = None) -> base.Step:
        """The table signature: a `Step` of `tf.TensorSpec`s with a time axis.

        Leave `sequence_length` None with TRUNCATE, whose last items are shorter.
        """
        return steps.step_signature(environment_spec, extras_spec,
                                    sequence_length)
