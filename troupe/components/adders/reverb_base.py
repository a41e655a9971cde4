"""The base of adders that write to Reverb through a `TrajectoryWriter`.

It owns the writer, the episode bookkeeping shared by every Reverb adder
(`add_first` before `add`, automatic reset after a LAST timestep) and item
creation with per-table priorities. Subclasses decide which rows to append and
which items to create from them.

Rows are appended as flat lists of leaves, so a row's columns are numbered once
on the first step and never looked up by path again; items are built from those
columns in the flattening order of the table signature.
"""

import abc
import logging
from typing import Any, List, Optional, Sequence

import dm_env
import reverb

from troupe import types
from troupe.components.adders import base

_FLUSH_ON_DELETE_TIMEOUT_MS = 10_000


class ReverbAdder(base.Adder):
    """Base class for adders writing items into Reverb tables."""

    def __init__(self,
                 client: reverb.Client,
                 num_keep_alive_refs: int,
                 *,
                 priority_fns: Optional[base.PriorityFnMapping] = None,
                 max_in_flight_items: int = 5,
                 validate_items: bool = True,
                 max_chunk_length: Optional[int] = None):
        """Creates the adder; the Reverb writer itself is made on first use.

        Args:
          client: a client of the Reverb server to write to.
          num_keep_alive_refs: how many of the latest rows items may reference.
          priority_fns: table name -> function of the item's trajectory (as
            numpy) returning its priority, or None for priority 1.0. Defaults
            to `{DEFAULT_PRIORITY_TABLE: None}`.
          max_in_flight_items: how many created items may wait for the server
            before `add` blocks (`TrajectoryWriter.flush(block_until_num_items)`).
          validate_items: whether the writer checks items against the table
            signature before sending them (it fetches the signature once).
          max_chunk_length: a constant number of steps per chunk for every
            column (1 <= max_chunk_length <= num_keep_alive_refs), or None for
            Reverb's auto-tuned lengths. It changes only how the steps are
            stored, not the items: a sampled item decompresses every chunk it
            references, so items that take single steps from each column are
            read fastest from one-step chunks.
        """
        if num_keep_alive_refs < 1:
            raise ValueError(
                f'num_keep_alive_refs must be >= 1, got {num_keep_alive_refs}.')
        if max_in_flight_items is None or max_in_flight_items < 0:
            raise ValueError(
                f'max_in_flight_items must be >= 0, got {max_in_flight_items!r}.')
        if priority_fns is not None and not priority_fns:
            raise ValueError('priority_fns must name at least one table, got an '
                             'empty mapping; pass None for the default table.')
        if max_chunk_length is not None and not (
                1 <= max_chunk_length <= num_keep_alive_refs):
            raise ValueError(
                f'max_chunk_length must be None or in [1, num_keep_alive_refs = '
                f'{num_keep_alive_refs}], got {max_chunk_length!r}.')
        self._client = client
        self._max_chunk_length = max_chunk_length
        self._num_keep_alive_refs = num_keep_alive_refs
        self._max_in_flight_items = max_in_flight_items
        self._validate_items = validate_items
        self._priority_fns = dict(
            priority_fns if priority_fns is not None
            else {base.DEFAULT_PRIORITY_TABLE: None})
        self._needs_priority_input = any(
            fn is not None for fn in self._priority_fns.values())
        self._writer: Optional[reverb.TrajectoryWriter] = None
        self._columns: List[Any] = []  # The writer's column histories.
        self._in_episode = False

    def add_priority_table(self, table_name: str,
                           priority_fn: Optional[base.PriorityFn]):
        """Also writes every item to `table_name`, prioritised by `priority_fn`."""
        if table_name in self._priority_fns:
            raise ValueError(
                f'A priority function already exists for table {table_name!r}; '
                f'the adder writes to {sorted(self._priority_fns)}.')
        self._priority_fns[table_name] = priority_fn
        self._needs_priority_input = self._needs_priority_input or (
            priority_fn is not None)

    def _check_first(self, timestep: dm_env.TimeStep):
        """Validates an `add_first` call before any state changes."""
        if timestep.step_type != dm_env.StepType.FIRST:
            raise ValueError(
                'add_first expects a FIRST timestep (timestep.first() is True), '
                f'got step_type {timestep.step_type!r}.')
        if self._in_episode:
            raise ValueError(
                'add_first called during an episode: call reset() first (it is '
                'called automatically after add() receives a LAST timestep).')

    def _check_started(self):
        """Validates an `add` call before any state changes."""
        if not self._in_episode:
            raise ValueError(
                'add() called before add_first(): start each episode with '
                'add_first(first_timestep), then call add(action, next_timestep).')

    def _append(self, row: List[Any]):
        """Appends one flat row (None marks a column left empty in this row)."""
        if self._writer is None:
            self._writer = self._client.trajectory_writer(
                num_keep_alive_refs=self._num_keep_alive_refs,
                validate_items=self._validate_items)
        new_columns = len(row) > len(self._columns)
        if new_columns and self._max_chunk_length is not None:
            for index in range(len(self._columns), len(row)):
                # A flat row's leaf i is the writer's column path (i,).
                self._writer.configure(
                    (index,), num_keep_alive_refs=self._num_keep_alive_refs,
                    max_chunk_length=self._max_chunk_length)
        self._writer.append(row)
        if new_columns:
            # New columns appeared (only in the first rows ever written).
            self._columns = self._writer.history
            self._on_new_columns()

    def _on_new_columns(self):
        """Called when `self._columns` has grown; subclasses may regroup them."""

    def _create_items(self, trajectory: Sequence[Any], data: Any = None):
        """Creates one item per table and bounds the number in flight.

        Args:
          trajectory: flat list of `TrajectoryColumn`s in signature order.
          data: the item's trajectory as a numpy nest, for the priority
            functions; only needed when `self._needs_priority_input`.
        """
        for table, priority_fn in self._priority_fns.items():
            priority = 1.0 if priority_fn is None else float(priority_fn(data))
            self._writer.create_item(table, priority, trajectory)
        self._writer.flush(self._max_in_flight_items)

    def _end_writer_episode(self, timeout_ms: Optional[int] = None):
        """Waits for pending items and clears the writer's history."""
        if self._writer is not None:
            self._writer.end_episode(clear_buffers=True, timeout_ms=timeout_ms)

    def reset(self, timeout_ms: Optional[int] = None):
        """Ends the episode: waits for pending items and clears the history."""
        self._end_writer_episode(timeout_ms)
        self._in_episode = False

    def flush(self, timeout_ms: Optional[int] = None):
        """Blocks until every item created so far is confirmed by the server."""
        if self._writer is not None:
            self._writer.flush(0, timeout_ms=timeout_ms)

    def __del__(self):
        writer = getattr(self, '_writer', None)
        if writer is None:
            return
        try:
            writer.flush(0, timeout_ms=_FLUSH_ON_DELETE_TIMEOUT_MS)
        except Exception as e:  # pylint: disable=broad-except
            logging.error('Could not flush the adder\'s pending items: %s', e)
        writer.close()
        self._writer = None

    @abc.abstractmethod
    def add_first(self, timestep: dm_env.TimeStep):
        """Starts an episode with its FIRST timestep."""

    @abc.abstractmethod
    def add(self, action: types.NestedArray, next_timestep: dm_env.TimeStep,
            extras: types.NestedArray = ()):
        """Records `action` and the timestep it led to."""
