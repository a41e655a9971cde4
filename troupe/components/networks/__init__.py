"""Sonnet networks: MLP torsos, Atari torsos, heads, multiplexers and spec squashers.

Names and behaviour follow Acme's TF networks so that its tutorials port by
changing imports; plain MLPs are `snt.nets.MLP`.
"""

from troupe.components.networks.atari import AtariTorso
from troupe.components.networks.atari import DQNAtariNetwork
from troupe.components.networks.distributional import DiscreteValuedHead
from troupe.components.networks.distributional import MultivariateNormalDiagHead
from troupe.components.networks.distributions import DiscreteValuedDistribution
from troupe.components.networks.duelling import DuellingMLP
from troupe.components.networks.ensemble import EnsembleMean
from troupe.components.networks.ensemble import EnsembleMember
from troupe.components.networks.ensemble import EnsembleMLP
from troupe.components.networks.ensemble import EnsembleWithPrior
from troupe.components.networks.ensemble import make_prior_ensemble
from troupe.components.networks.epsilon_greedy import EpsilonGreedyPolicy
from troupe.components.networks.epsilon_greedy import GreedyPolicy
from troupe.components.networks.epsilon_greedy import epsilon_greedy
from troupe.components.networks.mlp import FlattenObservation
from troupe.components.networks.mlp import LayerNormMLP
from troupe.components.networks.mlp import NearZeroInitializedLinear
from troupe.components.networks.multiplexers import CriticMultiplexer
from troupe.components.networks.noise import ClippedGaussian
from troupe.components.networks.policy_value import PolicyValueHead
from troupe.components.networks.recurrent import LSTMPolicyValueNetwork
from troupe.components.networks.rescaling import ClipToSpec
from troupe.components.networks.rescaling import RescaleToSpec
from troupe.components.networks.rescaling import TanhToSpec
from troupe.components.networks.rescaling import ToUnitInterval
from troupe.components.networks.stochastic import StochasticMeanHead
from troupe.components.networks.stochastic import StochasticModeHead
from troupe.components.networks.stochastic import StochasticSamplingHead

__all__ = [
    'AtariTorso',
    'ClipToSpec',
    'ClippedGaussian',
    'CriticMultiplexer',
    'DQNAtariNetwork',
    'DiscreteValuedDistribution',
    'DiscreteValuedHead',
    'DuellingMLP',
    'EnsembleMLP',
    'EnsembleMean',
    'EnsembleMember',
    'EnsembleWithPrior',
    'EpsilonGreedyPolicy',
    'FlattenObservation',
    'GreedyPolicy',
    'LSTMPolicyValueNetwork',
    'LayerNormMLP',
    'MultivariateNormalDiagHead',
    'NearZeroInitializedLinear',
    'PolicyValueHead',
    'RescaleToSpec',
    'StochasticMeanHead',
    'StochasticModeHead',
    'StochasticSamplingHead',
    'TanhToSpec',
    'ToUnitInterval',
    'epsilon_greedy',
    'make_prior_ensemble',
]
