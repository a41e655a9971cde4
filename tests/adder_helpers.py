"""Helpers for the adder tests: real Reverb queue tables and exact comparisons."""

from typing import Any, List, Sequence, Tuple

import dm_env
import numpy as np
import reverb
import tree

from troupe import specs
from troupe import types
from troupe.components import adders


def make_client(server_factory, signature, tables=(adders.DEFAULT_PRIORITY_TABLE,),
                max_size: int = 1000) -> reverb.Client:
    """Starts a server with one FIFO queue per table name; returns its client."""
    server = server_factory([reverb.Table.queue(name, max_size, signature=signature)
                             for name in tables])
    return reverb.Client(f'localhost:{server.port}')


def read_items(client: reverb.Client,
               table: str = adders.DEFAULT_PRIORITY_TABLE) -> List[Tuple[Any, float]]:
    """Returns (data, priority) of every item of a queue table, oldest first.

    Reverb rebuilds the signature's NamedTuple as a class of its own; the data
    is turned back into the troupe record with the same name and fields.
    """
    size = client.server_info()[table].current_size
    if size == 0:
        return []
    samples = client.sample(table, num_samples=size, emit_timesteps=False,
                            unpack_as_table_signature=True)
    items = []
    for sample in samples:
        data = sample.data
        record = {'Transition': types.Transition, 'Step': adders.Step}[
            type(data).__name__]
        assert data._fields == record._fields, data._fields
        items.append((record(*data), float(sample.info.priority)))
    return items


def run_episode(adder: adders.Adder, first: dm_env.TimeStep, steps: Sequence[tuple]):
    """Feeds an episode; steps are (action, timestep) or (action, timestep, extras)."""
    adder.add_first(first)
    for step in steps:
        adder.add(*step)


def _spec_of(x: Any) -> specs.Array:
    x = np.asarray(x)
    return specs.Array(shape=x.shape, dtype=x.dtype)


def specs_of(step: tuple) -> Tuple[specs.EnvironmentSpec, Any]:
    """Environment and extras specs read off an example (action, timestep[, extras])."""
    action, timestep = step[0], step[1]
    env_spec = specs.EnvironmentSpec(
        observations=tree.map_structure(_spec_of, timestep.observation),
        actions=tree.map_structure(_spec_of, action),
        rewards=tree.map_structure(_spec_of, timestep.reward),
        discounts=tree.map_structure(_spec_of, timestep.discount))
    extras = step[2] if len(step) > 2 else ()
    return env_spec, tree.map_structure(_spec_of, extras)


def assert_nest_close(observed: Any, expected: Any, rtol: float = 1e-6):
    """Same structure and the same values (to float32 round-off) leaf by leaf."""
    tree.assert_same_structure(observed, expected)
    for got, want in zip(tree.flatten(observed), tree.flatten(expected)):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol,
                                   atol=0)
        assert np.shape(got) == np.shape(want), (got, want)


def stack_steps(rows: Sequence[tuple]) -> adders.Step:
    """A time-major `Step` from (obs, action, reward, discount, start, extras) rows."""
    return tree.map_structure(lambda *xs: np.stack([np.asarray(x) for x in xs]),
                              *[adders.Step(*row) for row in rows])
