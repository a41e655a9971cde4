"""The distributed runtime on Ray: a replay node, a learner node (on a GPU when
the cluster has one), many actor nodes and an evaluator, built from the same
agent builders as the single-process agents. See `program.DistributedProgram`
and `troupe train AGENT --env NAME --distributed --num-actors N`.

Ray is an optional dependency: `pip install -e ".[distributed]"`.
"""

from troupe.distributed.config import ProgramConfig, StopConditions

__all__ = ['ProgramConfig', 'StopConditions', 'DistributedProgram']


def __getattr__(name):
    # Ray is imported only when the runtime is used.
    if name in ('DistributedProgram', 'ReplayServerLost', 'NodeFailed'):
        from troupe.distributed import program
        return getattr(program, name)
    raise AttributeError(name)
