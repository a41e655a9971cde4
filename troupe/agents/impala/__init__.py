"""IMPALA: actor-critic with V-trace off-policy correction, optionally recurrent."""

from troupe.agents.impala import builder
from troupe.agents.impala.agent import IMPALA
from troupe.agents.impala.config import IMPALAConfig
from troupe.agents.impala.learning import IMPALALearner
from troupe.agents.impala.networks import make_network

__all__ = ['IMPALA', 'IMPALAConfig', 'IMPALALearner', 'builder', 'make_network']
