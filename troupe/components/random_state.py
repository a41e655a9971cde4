"""The random state of a run's acting side, for whole-run checkpoints.

`RandomState(roots)` is a `troupe.core.Saveable` whose state is every numpy
random generator reachable from `roots` (an environment, its wrappers and
copies, an actor and the policies inside it): each `np.random.Generator`'s and
`np.random.RandomState`'s state, by the attribute path that reaches it (e.g.
`environment._environment._rng`), plus the global numpy generator's and
TensorFlow's global `tf.random.Generator`'s. Restoring puts each back, so a
resumed run draws the same exploration noise, environment resets and start
states as the uninterrupted run would have from that point.

Found by walking the objects' attributes (lists, tuples and dicts too, up to
`max_depth` levels), so wrappers and new environments need nothing to take
part; TensorFlow modules and variables, numpy arrays and Reverb objects are not
entered. A generator found under the same path at restore receives its saved
state; one that is new (say, another environment) is reported, not guessed.

What it cannot save: TensorFlow's op-level random streams (`tf.random.uniform`
and the like with the global seed), which live inside the runtime's kernels.
"""

import logging
from typing import Any, Dict, Iterator, List, Mapping, Sequence, Tuple

import numpy as np
import tensorflow as tf

from troupe import core

_log = logging.getLogger(__name__)

# Objects never entered: their attributes hold no generator of the run, or are
# large (arrays) or foreign (TensorFlow, Reverb, sockets).
_OPAQUE = (np.ndarray, np.generic, str, bytes, int, float, complex, bool, type,
           tf.Module, tf.Variable, tf.Tensor)
_OPAQUE_MODULES = ('tensorflow', 'reverb', 'keras', 'sonnet', 'ray', 'grpc',
                   'numpy', 'threading', 'socket', 'logging', 'tree')
_MAX_ITEMS = 64  # Longer lists and dicts (logs, buffers) are not entered.


def _generators(roots: Mapping[str, Any],
                max_depth: int) -> Iterator[Tuple[str, Any]]:
    """(path, generator) for every numpy generator reachable from `roots`,
    each once (at its first path, breadth first)."""
    seen = set()
    frontier: List[Tuple[str, Any]] = list(roots.items())
    for _ in range(max_depth + 1):
        following: List[Tuple[str, Any]] = []
        for path, value in frontier:
            if value is None or id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, (np.random.Generator, np.random.RandomState)):
                yield path, value
                continue
            following.extend(_children(path, value))
        frontier = following


def _children(path: str, value: Any) -> List[Tuple[str, Any]]:
    if isinstance(value, _OPAQUE) or callable(getattr(value, '__array__', None)):
        return []
    if isinstance(value, (list, tuple)):
        if len(value) > _MAX_ITEMS:
            return []
        return [(f'{path}[{i}]', item) for i, item in enumerate(value)]
    if isinstance(value, dict):
        if len(value) > _MAX_ITEMS:
            return []
        return [(f'{path}[{key!r}]', item) for key, item in value.items()
                if isinstance(key, (str, int))]
    module = type(value).__module__ or ''
    if module.split('.')[0] in _OPAQUE_MODULES:
        return []
    attributes = getattr(value, '__dict__', None)
    if not isinstance(attributes, dict):
        return []
    return [(f'{path}.{name}', item) for name, item in attributes.items()]


def _state_of(generator) -> Dict[str, Any]:
    if isinstance(generator, np.random.Generator):
        return {'kind': 'Generator', 'state': generator.bit_generator.state}
    name, keys, position, has_gauss, cached = generator.get_state()
    return {'kind': 'RandomState',
            'state': [name, np.asarray(keys), int(position), int(has_gauss),
                      float(cached)]}


def _set_state(generator, saved: Mapping[str, Any], path: str) -> None:
    if isinstance(generator, np.random.Generator):
        if saved['kind'] != 'Generator':
            raise ValueError(f'{path}: saved a {saved["kind"]}, found a Generator.')
        generator.bit_generator.state = saved['state']
    else:
        if saved['kind'] != 'RandomState':
            raise ValueError(f'{path}: saved a {saved["kind"]}, found a RandomState.')
        name, keys, position, has_gauss, cached = saved['state']
        generator.set_state((name, np.asarray(keys, np.uint32), position, has_gauss,
                             cached))


class RandomState(core.Saveable):
    """Saves and restores the numpy generators reachable from `roots` (see the
    module docstring), numpy's global generator and TensorFlow's global
    `tf.random.Generator`.

    Args:
      roots: name -> object to search (e.g. {'environment': env, 'actor':
        actor}); the names start the saved paths.
      max_depth: attribute levels searched below each root.
    """

    def __init__(self, roots: Mapping[str, Any], max_depth: int = 8):
        self._roots = dict(roots)
        self._max_depth = max_depth
        self.unmatched: Sequence[str] = ()

    def paths(self) -> List[str]:
        """Where the generators are, as saved."""
        return [path for path, _ in _generators(self._roots, self._max_depth)]

    def save(self) -> Dict[str, Any]:
        generators = {path: _state_of(generator) for path, generator in
                      _generators(self._roots, self._max_depth)}
        return {'generators': generators,
                'numpy_global': _state_of(np.random.mtrand._rand),  # pylint: disable=protected-access
                'tf_global': tf.random.get_global_generator().state.numpy()}

    def restore(self, state: Mapping[str, Any]) -> None:
        saved = dict(state['generators'])
        for path, generator in _generators(self._roots, self._max_depth):
            if path in saved:
                _set_state(generator, saved.pop(path), path)
        self.unmatched = sorted(saved)
        if self.unmatched:
            _log.warning('Saved random states with no generator to restore them '
                         'into: %s', ', '.join(self.unmatched))
        _set_state(np.random.mtrand._rand, state['numpy_global'], 'numpy_global')  # pylint: disable=protected-access
        tf.random.get_global_generator().state.assign(state['tf_global'])
