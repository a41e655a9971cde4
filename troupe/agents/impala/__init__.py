"""IMPALA: actor-critic with V-trace off-policy correction, optionally recurrent."""

from troupe.agents.impala.agent import IMPALA
from troupe.agents.impala.builder import IMPALABuilder
from troupe.agents.impala.config import IMPALAConfig
from troupe.agents.impala.learning import IMPALALearner
from troupe.agents.impala.networks import make_network

__all__ = ['IMPALA', 'IMPALABuilder', 'IMPALAConfig', 'IMPALALearner',
           'make_network']
