"""NumpyPolicy: a numpy copy of a small feed-forward policy, for acting without
TensorFlow's per-call dispatch.

On a 2-core machine one call of a compiled TF policy (CartPole DQN's 256-256
ε-greedy policy) took 0.5-1.2 ms, mostly dispatch, while its three matmuls in
numpy take ~25 µs and the whole numpy policy 80-130 µs
(benchmarks/dqn_budget.py). `NumpyPolicy(module)` walks
the module tree once and builds a numpy function for it, reading the weights
from the module's `tf.Variable`s; `refresh()` re-reads them (the actor calls it
when its variables have changed). Supported, exactly as Sonnet/TF compute them:

- `snt.Linear`, `snt.nets.MLP` (no dropout), `snt.Sequential`, `snt.LayerNorm`,
  the activations relu, elu, tanh, sigmoid, softplus and identity;
- troupe's `LayerNormMLP`, `DuellingMLP`, `FlattenObservation` and
  `batch_concat`, `TanhToSpec` and `RescaleToSpec` (on tensors), `ClipToSpec`,
  `ToUnitInterval`;
- the policies `GreedyPolicy`, `EpsilonGreedyPolicy` (ε read from its variable)
  and `ClippedGaussian` noise, drawn from a numpy generator.

Anything else (a convnet, a distribution head, a module whose class overrides
`__call__`) raises `Unsupported`, and the actor keeps the TF policy.
"""

from typing import Callable, Iterable, List, Optional

import numpy as np
import sonnet as snt
import tensorflow as tf
import tree
# The raw read skips tf.Variable.numpy()'s Python layers (~30 against ~120 µs).
from tensorflow.python.ops import gen_resource_variable_ops

from troupe.components import utils as tf2_utils
from troupe.components.networks import duelling, mlp, noise, rescaling
from troupe.components.networks.epsilon_greedy import EpsilonGreedyPolicy, GreedyPolicy

Array = np.ndarray
Fn = Callable[[object], Array]


class Unsupported(Exception):
    """The module (named in the message) has no numpy translation."""


def _elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.logaddexp(x, 0).astype(x.dtype)


def batch_concat(nest) -> Array:
    """numpy `utils.batch_concat`: every leaf flattened to [B, -1], cast to the
    first leaf's dtype, concatenated on the last axis."""
    leaves = [np.asarray(x) for x in tree.flatten(nest)]
    dtype = leaves[0].dtype
    flat = [x.reshape(x.shape[0], -1).astype(dtype, copy=False) for x in leaves]
    return flat[0] if len(flat) == 1 else np.concatenate(flat, axis=-1)


_ACTIVATIONS = {}
for _fns, _numpy_fn in (((tf.nn.relu,), lambda x: np.maximum(x, 0)),
                        ((tf.nn.elu,), _elu),
                        ((tf.nn.tanh, tf.tanh, tf.math.tanh), np.tanh),
                        ((tf.nn.sigmoid, tf.sigmoid, tf.math.sigmoid), _sigmoid),
                        ((tf.nn.softplus, tf.math.softplus), _softplus),
                        ((tf.identity,), lambda x: x),
                        ((tf2_utils.batch_concat,), batch_concat)):
    for _fn in _fns:
        _ACTIVATIONS[_fn] = _numpy_fn


def _same_call(module, base) -> bool:
    """Whether `module` computes what `base.__call__` computes (its class does
    not override `__call__`)."""
    return isinstance(module, base) and type(module).__call__ is base.__call__


class NumpyPolicy:
    """A numpy function equal (to float32 rounding) to a feed-forward policy.

    Attributes:
      stochastic: whether the policy draws random numbers (ε-greedy, noise).
      macs_per_row: multiply-adds of one observation (the cost model of the
        actor's choice between numpy and TF).
    """

    def __init__(self, module, rng: Optional[np.random.Generator] = None):
        self._rng = rng if rng is not None else np.random.default_rng()
        self._variables: List[tf.Variable] = []
        self._values: List[Array] = []
        self.stochastic = False
        self.macs_per_row = 0
        self._fn = self._convert(module)
        self.refresh()

    def __call__(self, observations) -> Array:
        """Actions for a batch of observations ([B, ...] leaves)."""
        return self._fn(observations)

    def refresh(self, variables: Optional[Iterable[tf.Variable]] = None) -> None:
        """Re-reads the variables the policy uses (all, or those of `variables`
        it uses) after they changed."""
        if variables is None:
            self._values[:] = [_read(v) for v in self._variables]
            return
        for variable in variables:
            for index, known in enumerate(self._variables):
                if known is variable:
                    self._values[index] = _read(variable)

    # The translation.
    def _variable(self, variable: tf.Variable) -> int:
        """The index of `variable`'s numpy copy in `self._values`."""
        for index, known in enumerate(self._variables):
            if known is variable:
                return index
        self._variables.append(variable)
        self._values.append(_read(variable))
        return len(self._variables) - 1

    def _convert(self, module) -> Fn:
        if _hashable(module) and module in _ACTIVATIONS:
            return _ACTIVATIONS[module]
        for base, convert in self._converters():
            if _same_call(module, base):
                return convert(module)
        raise Unsupported(f'{type(module).__name__} ({module!r}) has no numpy '
                          'translation')

    def _converters(self):
        return ((snt.Linear, self._linear), (snt.nets.MLP, self._mlp),
                (snt.Sequential, self._sequential), (snt.LayerNorm, self._layer_norm),
                (mlp.LayerNormMLP, self._layer_norm_mlp),
                (duelling.DuellingMLP, self._duelling),
                (GreedyPolicy, self._greedy),
                (EpsilonGreedyPolicy, self._epsilon_greedy),
                (noise.ClippedGaussian, self._clipped_gaussian),
                (rescaling.ClipToSpec, self._clip),
                (rescaling.TanhToSpec, self._tanh_to_spec),
                (rescaling.RescaleToSpec, self._rescale_to_spec),
                (rescaling.ToUnitInterval, self._to_unit_interval),
                (mlp.FlattenObservation, lambda module: batch_concat))

    def _linear(self, module: snt.Linear) -> Fn:
        if not hasattr(module, 'w'):
            raise Unsupported(f'{module.name} has no variables yet')
        w = self._variable(module.w)
        b = self._variable(module.b) if module.with_bias else None
        rows, columns = module.w.shape
        self.macs_per_row += int(rows) * int(columns)
        values = self._values
        if b is None:
            return lambda x: x @ values[w]
        return lambda x: x @ values[w] + values[b]

    def _mlp(self, module: snt.nets.MLP) -> Fn:
        if module._dropout_rate:  # pylint: disable=protected-access
            raise Unsupported(f'{module.name} uses dropout')
        layers = [self._linear(layer) for layer in module._layers]  # pylint: disable=protected-access
        activation = self._convert(module._activation)  # pylint: disable=protected-access
        activate_final = module._activate_final  # pylint: disable=protected-access
        last = len(layers) - 1

        def apply(x):
            for index, layer in enumerate(layers):
                x = layer(x)
                if index < last or activate_final:
                    x = activation(x)
            return x
        return apply

    def _sequential(self, module: snt.Sequential) -> Fn:
        layers = [self._convert(layer) for layer in module._layers]  # pylint: disable=protected-access

        def apply(x):
            for layer in layers:
                x = layer(x)
            return x
        return apply

    def _layer_norm(self, module: snt.LayerNorm) -> Fn:
        axis = module._axis  # pylint: disable=protected-access
        if isinstance(axis, slice) or module._rank is None:  # pylint: disable=protected-access
            raise Unsupported(f'{module.name} has not been built yet')
        axis = tuple(int(a) for a in axis)
        eps = float(module._eps)  # pylint: disable=protected-access
        scale = self._variable(module.scale) if module.scale is not None else None
        offset = self._variable(module.offset) if module.offset is not None else None
        values = self._values

        def apply(x):
            mean = x.mean(axis=axis, keepdims=True)
            variance = np.square(x - mean).mean(axis=axis, keepdims=True)
            inverse = 1.0 / np.sqrt(variance + x.dtype.type(eps))
            if scale is not None:
                inverse = inverse * values[scale]
            y = x * inverse - mean * inverse
            return y + values[offset] if offset is not None else y
        return apply

    def _layer_norm_mlp(self, module: mlp.LayerNormMLP) -> Fn:
        network = self._convert(module._network)  # pylint: disable=protected-access
        return lambda observations: network(batch_concat(observations))

    def _duelling(self, module: duelling.DuellingMLP) -> Fn:
        value = self._mlp(module._value_mlp)  # pylint: disable=protected-access
        advantage = self._mlp(module._advantage_mlp)  # pylint: disable=protected-access

        def apply(x):
            a = advantage(x)
            return value(x) + (a - a.mean(axis=-1, keepdims=True))
        return apply

    def _greedy(self, module: GreedyPolicy) -> Fn:
        network = self._convert(module.network)
        dtype = module._dtype.as_numpy_dtype  # pylint: disable=protected-access
        return lambda x: network(x).argmax(axis=-1).astype(dtype)

    def _epsilon_greedy(self, module: EpsilonGreedyPolicy) -> Fn:
        network = self._convert(module.network)
        dtype = module._dtype.as_numpy_dtype  # pylint: disable=protected-access
        epsilon = module.epsilon
        if isinstance(epsilon, tf.Variable):
            index = self._variable(epsilon)
            values = self._values

            def read_epsilon():
                return float(values[index])
        else:
            constant = float(epsilon)

            def read_epsilon():
                return constant
        self.stochastic = True
        rng = self._rng

        def apply(x):
            q = network(x)
            actions = q.argmax(axis=-1)
            # Greedy among ties at random (the TF policy spreads the greedy
            # probability over tied actions), uniform with probability ε.
            best = q == q.max(axis=-1, keepdims=True)
            if (best.sum(axis=-1) > 1).any():
                actions = (rng.random(q.shape) * best).argmax(axis=-1)
            epsilon = read_epsilon()
            if epsilon > 0:
                explore = rng.random(q.shape[0]) < epsilon
                if explore.any():
                    actions = np.where(explore, rng.integers(q.shape[-1], size=q.shape[0]),
                                       actions)
            return actions.astype(dtype)
        return apply

    def _clipped_gaussian(self, module: noise.ClippedGaussian) -> Fn:
        stddev = module._stddev  # pylint: disable=protected-access
        self.stochastic = True
        rng = self._rng

        def add_noise(action):
            noisy = action + rng.normal(0.0, stddev, action.shape).astype(action.dtype)
            return np.clip(noisy, -1.0, 1.0)
        return lambda x: tree.map_structure(add_noise, x)

    def _clip(self, module: rescaling.ClipToSpec) -> Fn:
        low, high = module._min, module._max  # pylint: disable=protected-access
        return lambda x: np.clip(x, low.astype(x.dtype), high.astype(x.dtype))

    def _tanh_to_spec(self, module: rescaling.TanhToSpec) -> Fn:
        scale, offset = module._scale, module._offset  # pylint: disable=protected-access

        def apply(x):
            if not isinstance(x, np.ndarray):
                raise Unsupported('TanhToSpec of a distribution')
            unit = 0.5 * (np.tanh(x) + x.dtype.type(1.0))
            return unit * scale.astype(x.dtype) + offset.astype(x.dtype)
        return apply

    def _to_unit_interval(self, module: rescaling.ToUnitInterval) -> Fn:
        middle, half_range = module._middle, module._half_range  # pylint: disable=protected-access
        return lambda x: (x - middle.astype(x.dtype)) / half_range.astype(x.dtype)

    def _rescale_to_spec(self, module: rescaling.RescaleToSpec) -> Fn:
        scale, offset = module._scale, module._offset  # pylint: disable=protected-access

        def apply(x):
            unit = 0.5 * (x + x.dtype.type(1.0))
            return unit * scale.astype(x.dtype) + offset.astype(x.dtype)
        return apply


def _read(variable: tf.Variable) -> Array:
    """A numpy copy of the variable's value (a copy: the TF buffer may be
    updated in place later)."""
    value = gen_resource_variable_ops.read_variable_op(variable.handle, variable.dtype)
    return np.array(value)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def deterministic_core(module):
    """The part of a policy that draws no random numbers, to compare the numpy
    copy with TF: the Q-network of an ε-greedy policy, the layers before the
    first noise layer of a `snt.Sequential`, else the module itself."""
    if isinstance(module, EpsilonGreedyPolicy):
        return module.network
    if isinstance(module, snt.Sequential):
        layers = []
        for layer in module._layers:  # pylint: disable=protected-access
            if isinstance(layer, noise.ClippedGaussian):
                break
            layers.append(layer)
        if len(layers) < len(module._layers):  # pylint: disable=protected-access
            return snt.Sequential(layers)
    return module
