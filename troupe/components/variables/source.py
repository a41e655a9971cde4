"""Serving named groups of TensorFlow variables as numpy arrays."""

from typing import List, Mapping, Sequence

import numpy as np
import tensorflow as tf

from troupe import core


def variables_to_numpy(variables: Sequence[tf.Variable]) -> List[np.ndarray]:
    """Reads a list of variables into a list of numpy arrays (copies)."""
    return [np.array(v.numpy()) for v in variables]


class ModuleVariableSource(core.VariableSource):
    """A VariableSource over a fixed mapping of names to variable lists.

    Learners use it (or the same logic) to implement `get_variables`; it is plain
    data in, numpy out, so it works the same when called from another process.
    """

    def __init__(self, variables: Mapping[str, Sequence[tf.Variable]]):
        self._variables = {name: list(vs) for name, vs in variables.items()}

    def get_variables(self, names: Sequence[str]) -> List[List[np.ndarray]]:
        unknown = [n for n in names if n not in self._variables]
        if unknown:
            raise KeyError(f'Unknown variable group(s) {unknown}; this source serves '
                           f'{sorted(self._variables)}.')
        return [variables_to_numpy(self._variables[name]) for name in names]
