"""Moving variables from a learner (a VariableSource) to actors."""

from troupe.components.variables.client import VariableClient
from troupe.components.variables.source import ModuleVariableSource, variables_to_numpy

__all__ = ['VariableClient', 'ModuleVariableSource', 'variables_to_numpy']
