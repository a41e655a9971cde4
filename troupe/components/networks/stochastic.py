"""Heads that turn a policy's distribution into an action tensor.

Chained after a distributional head they give deterministic (mode, mean) or
stochastic (sample) policies, e.g. an evaluator's greedy policy.
"""

import sonnet as snt
import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions


class StochasticModeHead(snt.Module):
    """Returns the distribution's mode."""

    def __call__(self, distribution: tfd.Distribution) -> tf.Tensor:
        return distribution.mode()


class StochasticMeanHead(snt.Module):
    """Returns the distribution's mean."""

    def __call__(self, distribution: tfd.Distribution) -> tf.Tensor:
        return distribution.mean()


class StochasticSamplingHead(snt.Module):
    """Returns one sample of the distribution."""

    def __call__(self, distribution: tfd.Distribution) -> tf.Tensor:
        return distribution.sample()
