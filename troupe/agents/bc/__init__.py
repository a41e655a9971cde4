"""Behaviour cloning: supervised learning of a policy from demonstrations."""

from troupe.agents.bc.learning import BCLearner

__all__ = ['BCLearner']
