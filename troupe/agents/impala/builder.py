"""Builders of IMPALA's parts; table, adder, dataset and actor are the
on-policy family's (see `a2c.builder`)."""

from typing import Optional

import sonnet as snt
import tensorflow as tf

from troupe.agents.a2c.builder import make_actor
from troupe.agents.a2c.builder import make_adder
from troupe.agents.a2c.builder import make_dataset
from troupe.agents.a2c.builder import make_extras_spec
from troupe.agents.a2c.builder import make_queue_table
from troupe.agents.impala import config as config_lib
from troupe.agents.impala import learning
from troupe.components import counting, loggers

__all__ = ['make_actor', 'make_adder', 'make_dataset', 'make_extras_spec',
           'make_learner', 'make_queue_table']


def make_learner(network: snt.Module, dataset: tf.data.Dataset,
                 config: config_lib.IMPALAConfig,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 directory: str = '~/troupe') -> learning.IMPALALearner:
    """The IMPALALearner configured by `config`."""
    return learning.IMPALALearner(
        network, dataset, discount=config.discount,
        learning_rate=config.learning_rate, entropy_cost=config.entropy_cost,
        baseline_cost=config.baseline_cost,
        clip_rho_threshold=config.clip_rho_threshold,
        clip_pg_rho_threshold=config.clip_pg_rho_threshold,
        lambda_=config.lambda_, max_gradient_norm=config.max_gradient_norm,
        max_abs_reward=config.max_abs_reward, counter=counter, logger=logger,
        checkpoint=checkpoint, device=device, directory=directory)
