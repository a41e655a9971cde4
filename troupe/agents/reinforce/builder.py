"""Builders of REINFORCE's parts; table, adder, dataset and actor are the
on-policy family's (see `a2c.builder`)."""

from typing import Optional

import tensorflow as tf
import sonnet as snt

from troupe.agents.a2c.builder import make_actor
from troupe.agents.a2c.builder import make_adder
from troupe.agents.a2c.builder import make_dataset
from troupe.agents.a2c.builder import make_extras_spec
from troupe.agents.a2c.builder import make_queue_table
from troupe.agents.reinforce import config as config_lib
from troupe.agents.reinforce import learning
from troupe.components import counting, loggers

__all__ = ['make_actor', 'make_adder', 'make_dataset', 'make_extras_spec',
           'make_learner', 'make_queue_table']


def make_learner(network: snt.Module, dataset: tf.data.Dataset,
                 config: config_lib.ReinforceConfig,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 directory: str = '~/troupe') -> learning.ReinforceLearner:
    """The ReinforceLearner configured by `config`."""
    return learning.ReinforceLearner(
        network, dataset, discount=config.discount,
        learning_rate=config.learning_rate, entropy_cost=config.entropy_cost,
        baseline_cost=config.baseline_cost,
        max_gradient_norm=config.max_gradient_norm,
        max_abs_reward=config.max_abs_reward, counter=counter, logger=logger,
        checkpoint=checkpoint, device=device, directory=directory)
