"""Builders of D4PG's parts for a distributed runtime: the replay table, adder,
dataset and actors are DDPG's (`troupe.agents.ddpg.builder`); the learner is a
`D4PGLearner` configured by a `DDPGConfig`."""

import functools

from troupe.agents.d4pg import learning
from troupe.agents.ddpg import builder as ddpg_builder
from troupe.agents.ddpg.builder import (
    make_actor, make_adder, make_dataset, make_evaluation_actor, make_replay_table,
    min_observations, observations_per_step)

make_learner = functools.partial(ddpg_builder.make_learner,
                                 learner_class=learning.D4PGLearner)
make_learner.__doc__ = ('The D4PGLearner configured by a DDPGConfig (arguments as '
                        '`ddpg.builder.make_learner`).')

__all__ = ['make_actor', 'make_adder', 'make_dataset', 'make_evaluation_actor',
           'make_learner', 'make_replay_table', 'min_observations',
           'observations_per_step']
