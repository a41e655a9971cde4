"""troupe: a modular reinforcement-learning framework in the style of Acme.

An agent is a company of parts: an Actor acts, an Adder writes what it saw into a
Reverb replay table, a Learner updates networks from batches of that table, and a
VariableClient carries fresh weights back to the actor. An EnvironmentLoop runs
any Actor in any dm_env environment.
"""

import os as _os

# TensorFlow's C++ start-up chatter buries the logs users care about; users can
# still raise it by setting the variable themselves.
_os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

from troupe import specs  # noqa: E402
from troupe import types  # noqa: E402
from troupe.core import Actor, Learner, Saveable, VariableSource, Worker  # noqa: E402
from troupe.specs import make_environment_spec  # noqa: E402
from troupe.components.environment_loop import EnvironmentLoop  # noqa: E402

__version__ = '0.1.0'

__all__ = [
    'Actor', 'Learner', 'Saveable', 'VariableSource', 'Worker', 'EnvironmentLoop',
    'make_environment_spec', 'specs', 'types',
]
