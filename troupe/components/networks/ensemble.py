"""Ensembles of Q-networks computed in one batched call, and randomized priors.

`EnsembleMLP(num_members, output_sizes)` holds K MLPs of the same shape as
stacked weights ([K, in, out] per layer) and computes all K in one batched
matmul per layer: [B, D] inputs give [B, K, outputs]. One batched network
rather than K Sonnet MLPs because each of its layers is one kernel for the
whole ensemble (K separate MLPs cost K times the per-op dispatch on the acting
path and K times the ops in the learner's graph), while the arithmetic is the
same.

`EnsembleWithPrior(network, prior_network, prior_scale)` is a randomized prior
function (Osband et al. 2018, "Randomized Prior Functions for Deep RL"): the
output is network(x) + β · prior_network(x) with no gradient through the prior,
whose weights are drawn once and never trained (`EnsembleMLP(...,
trainable=False)` makes them non-trainable variables, so optimizers never see
them). `EnsembleMember` and `EnsembleMean` turn an ensemble's [B, K, A]
values into the [B, A] values of one member (chosen by a variable) or of the
mean, for the acting and the evaluation policies.
"""

from typing import Callable, Optional, Sequence

import numpy as np
import sonnet as snt
import tensorflow as tf

from troupe import errors, types
from troupe.components import utils as tf2_utils


def _check_ensemble_output(values: tf.Tensor) -> None:
    if values.shape.rank != 3:
        raise errors.InvalidInput(
            f'an ensemble must output [B, K, A] values, got shape {values.shape}.')


class EnsembleMLP(snt.Module):
    """K MLPs of one shape, computed together: [B, ...] -> [B, K, output_sizes[-1]].

    Observations are flattened (`utils.batch_concat`). Each member's layers are
    initialised as `snt.Linear`'s are (weights truncated-normal with standard
    deviation 1/sqrt(fan_in), zero biases), independently per member. The
    activation follows every layer but the last.
    """

    def __init__(self, num_members: int, output_sizes: Sequence[int],
                 activation: Callable[[tf.Tensor], tf.Tensor] = tf.nn.relu,
                 trainable: bool = True, name: Optional[str] = None):
        """Creates the ensemble (its variables are made on the first call).

        Args:
          num_members: K >= 1.
          output_sizes: the sizes of every layer, the last one the outputs.
          activation: applied after every layer but the last.
          trainable: False makes the variables non-trainable (a fixed prior).
          name: the module name.
        """
        super().__init__(name=name)
        if isinstance(num_members, bool) or not isinstance(num_members, int) \
                or num_members < 1:
            raise errors.InvalidInput(
                f'EnsembleMLP num_members must be an integer >= 1, got {num_members!r}.')
        sizes = list(output_sizes)
        if not sizes or any(isinstance(s, bool) or not isinstance(s, (int, np.integer))
                            or s < 1 for s in sizes):
            raise errors.InvalidInput(
                f'EnsembleMLP output_sizes must be integers >= 1, got {output_sizes!r}.')
        self.num_members = int(num_members)
        self._sizes = [int(s) for s in sizes]
        self._activation = activation
        self._trainable = bool(trainable)
        self.weights = []
        self.biases = []

    @snt.once
    def _initialize(self, input_size: int) -> None:
        fan_in = input_size
        for index, size in enumerate(self._sizes):
            init = snt.initializers.TruncatedNormal(stddev=1.0 / np.sqrt(fan_in))
            self.weights.append(tf.Variable(
                init([self.num_members, fan_in, size], tf.float32),
                trainable=self._trainable, name=f'w_{index}'))
            self.biases.append(tf.Variable(
                tf.zeros([self.num_members, size]), trainable=self._trainable,
                name=f'b_{index}'))
            fan_in = size

    def __call__(self, inputs: types.NestedTensor) -> tf.Tensor:
        x = tf2_utils.batch_concat(inputs)
        self._initialize(int(x.shape[-1]))
        x = tf.cast(x, tf.float32)
        last = len(self._sizes) - 1
        for index, (w, b) in enumerate(zip(self.weights, self.biases)):
            # The first layer maps the shared [B, D] input to every member.
            x = (tf.einsum('bd,kdo->bko', x, w) if index == 0
                 else tf.einsum('bki,kio->bko', x, w)) + b
            if index < last:
                x = self._activation(x)
        return x


class EnsembleWithPrior(snt.Module):
    """network(x) + β · stop_gradient(prior_network(x)): an ensemble with an
    additive randomized prior function per member (see the module docstring).

    Both networks map [B, ...] observations to [B, K, A] values. The prior
    should hold non-trainable variables (`EnsembleMLP(..., trainable=False)`);
    the stop-gradient makes sure no loss reaches it either way.
    """

    def __init__(self, network: snt.Module, prior_network: snt.Module,
                 prior_scale: float, name: str = 'ensemble_with_prior'):
        """Combines the networks.

        Args:
          network: the trainable ensemble.
          prior_network: the fixed prior ensemble, of the same output shape.
          prior_scale: β >= 0 (0: no prior).
        """
        super().__init__(name=name)
        if isinstance(prior_scale, bool) or not isinstance(prior_scale, (int, float)) \
                or not np.isfinite(prior_scale) or prior_scale < 0:
            raise errors.InvalidInput(
                f'prior_scale must be a finite number >= 0, got {prior_scale!r}.')
        self.network = network
        self.prior_network = prior_network
        self.prior_scale = float(prior_scale)
        self.num_members = getattr(network, 'num_members', None)

    def __call__(self, inputs: types.NestedTensor) -> tf.Tensor:
        values = self.network(inputs)
        prior = tf.stop_gradient(self.prior_network(inputs))
        return values + tf.cast(self.prior_scale, values.dtype) * prior


def make_prior_ensemble(num_members: int, output_sizes: Sequence[int],
                        prior_scale: float) -> EnsembleWithPrior:
    """A trainable `EnsembleMLP` plus β times a fixed random one of the same shape."""
    return EnsembleWithPrior(
        EnsembleMLP(num_members, output_sizes, name='ensemble'),
        EnsembleMLP(num_members, output_sizes, trainable=False, name='prior'),
        prior_scale)


class EnsembleMember(snt.Module):
    """The [B, A] values of one member of a [B, K, A] ensemble; which one is
    read from an int32 variable at every call, so an actor can switch members
    without retracing its policy."""

    def __init__(self, ensemble: snt.Module, member: tf.Variable,
                 name: str = 'ensemble_member'):
        """Selects `ensemble`'s member number `member` (a scalar int32 variable)."""
        super().__init__(name=name)
        self.ensemble = ensemble
        self.member = member

    def __call__(self, inputs: types.NestedTensor) -> tf.Tensor:
        values = self.ensemble(inputs)
        _check_ensemble_output(values)
        return tf.gather(values, self.member, axis=1)


class EnsembleMean(snt.Module):
    """The [B, A] mean over members of a [B, K, A] ensemble's values."""

    def __init__(self, ensemble: snt.Module, name: str = 'ensemble_mean'):
        super().__init__(name=name)
        self.ensemble = ensemble

    def __call__(self, inputs: types.NestedTensor) -> tf.Tensor:
        values = self.ensemble(inputs)
        _check_ensemble_output(values)
        return tf.reduce_mean(values, axis=1)
