"""The nodes of a distributed program, each a Ray actor in its own process.

    ReplayNode     the Reverb server with the agent's tables
    CounterNode    the root counter (actor_steps, learner_steps, ...), checkpointed
    LogNode        writes every node's log rows under one log directory
    LearnerNode    trains; serves `get_variables`; checkpoints periodically
    VariableCache  optional: serves the learner's variables to many actors
    ActorNode      an EnvironmentLoop of one exploring actor (GPUs hidden)
    EvaluatorNode  runs the greedy policy now and then and logs its return

The classes are plain Python; `troupe.distributed.program` turns them into Ray
actors. Nodes that run a loop (`run()`) are threaded Ray actors, so `stop()`,
`get_variables()` and `save()` are served while `run()` is going.
"""

import collections
import logging
import os
import threading
import time
from typing import Any, Deque, Dict, List, Optional, Sequence

from troupe.distributed import cluster
from troupe.distributed.config import ProgramConfig
from troupe.distributed.remote import RayVariableSource, RemoteCounter, RemoteLogger

_log = logging.getLogger(__name__)

# Rows of each label a LogNode keeps in memory for the driver.
RECENT_ROWS = 10_000


class ReplayNode:
    """A `reverb.Server` with the agent's replay tables."""

    def __init__(self, program: ProgramConfig):
        import reverb
        from troupe.distributed import parts
        self._server = reverb.Server(parts.AgentParts(program).replay_tables(),
                                     port=None)
        self._address = f'{cluster.node_address()}:{self._server.port}'

    def address(self) -> str:
        """'HOST:PORT' that clients on any node of the cluster can reach."""
        return self._address

    def table_sizes(self) -> Dict[str, int]:
        import reverb
        info = reverb.Client(self._address).server_info()
        return {name: int(table.current_size) for name, table in info.items()}

    def ping(self) -> bool:
        return True

    def pid(self) -> int:
        return os.getpid()

    def stop(self) -> None:
        """Stops the server; blocked inserts and samples everywhere fail."""
        self._server.stop()


class CounterNode:
    """The root counter; checkpointed to `<logdir>/checkpoints/counter` and
    restored from there on start, so a resumed run keeps its counts."""

    def __init__(self, program: ProgramConfig):
        from troupe.components import counting, savers
        self._counter = counting.Counter()
        self._checkpointer = savers.Checkpointer(
            {'counter': self._counter}, directory=program.logdir,
            subdirectory='counter', add_uid=False,
            time_delta_minutes=program.checkpoint_minutes)

    def increment(self, **counts) -> Dict[str, Any]:
        result = self._counter.increment(**counts)
        self._checkpointer.save()
        return result

    def get_counts(self) -> Dict[str, Any]:
        return self._counter.get_counts()

    def save(self) -> bool:
        return self._checkpointer.save(force=True)


class LogNode:
    """Writes `<logdir>/logs/<label>/logs.csv` for every node's rows and keeps
    the recent rows of each label for the driver."""

    def __init__(self, logdir: str):
        self._logdir = logdir
        self._writers: Dict[str, Any] = {}
        self._recent: Dict[str, Deque[Dict[str, Any]]] = {}

    def write(self, label: str, row: Dict[str, Any]) -> None:
        from troupe.components import loggers
        if label not in self._writers:
            self._writers[label] = loggers.CSVLogger(self._logdir, label=label,
                                                     add_uid=False)
            self._recent[label] = collections.deque(maxlen=RECENT_ROWS)
        self._writers[label].write(row)
        self._recent[label].append(dict(row))

    def rows(self, label: str) -> List[Dict[str, Any]]:
        return list(self._recent.get(label, ()))

    def labels(self) -> List[str]:
        return sorted(self._writers)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()


class _Looping:
    """A stop flag for nodes whose `run()` loops until told to stop."""

    def __init__(self):
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def pid(self) -> int:
        """The node's process id (tests kill it to check restarts)."""
        return os.getpid()


class LearnerNode(_Looping):
    """Builds the learner (on the GPU when the node has one), trains until
    stopped, and checkpoints to `<logdir>/checkpoints/learner` every
    `checkpoint_minutes` (restored from there on start)."""

    def __init__(self, program: ProgramConfig, replay_address: str,
                 counter_handle, log_handle):
        super().__init__()
        from troupe.components import counting, loggers, savers
        from troupe.distributed import parts
        self._counter = counting.Counter(RemoteCounter(counter_handle), prefix='learner',
                                         time_delta=1.0)
        logger = loggers.TimeFilter(RemoteLogger(log_handle, 'learner'), 1.0)
        self._learner = parts.AgentParts(program).make_learner(
            replay_address, self._counter, logger)
        self._checkpointer = savers.Checkpointer(
            self._learner.state, directory=program.logdir, subdirectory='learner',
            add_uid=False, time_delta_minutes=program.checkpoint_minutes)
        self._lock = threading.Lock()  # Between steps and forced saves.

    def run(self) -> int:
        """Takes learner steps until `stop()`; returns the steps it took."""
        steps = 0
        try:
            while not self.stopping:
                with self._lock:
                    self._learner.step()
                    self._checkpointer.save()
                steps += 1
        except Exception:  # Stopping the replay server ends a blocked sample.
            if not self.stopping:
                raise
        self._counter.flush()
        return steps

    def get_variables(self, names: Sequence[str]):
        return self._learner.get_variables(names)

    def save(self, timeout: float = 2.0) -> bool:
        """Flushes the counter and checkpoints now: between two steps, or, if a
        step has waited `timeout` seconds for data (the actors have stopped, so
        it may wait for ever), while it waits."""
        locked = self._lock.acquire(timeout=timeout)
        try:
            self._counter.flush()
            return self._checkpointer.save(force=True)
        finally:
            if locked:
                self._lock.release()

    def num_updates(self) -> Optional[int]:
        updates = getattr(self._learner, 'num_updates', None)
        return None if updates is None else int(updates)

    def device(self) -> Optional[str]:
        return getattr(self._learner, 'device', None)


class VariableCache:
    """Serves the learner's variables, fetching them at most once every
    `refresh_seconds`, so that many actors do not each call the learner."""

    def __init__(self, learner_handle, refresh_seconds: float = 1.0):
        self._source = RayVariableSource(learner_handle)
        self._refresh_seconds = refresh_seconds
        self._cache: Dict[tuple, Any] = {}  # names -> (time, values)
        self._lock = threading.Lock()

    def get_variables(self, names: Sequence[str]):
        key = tuple(names)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and time.monotonic() - cached[0] < self._refresh_seconds:
                return cached[1]
            values = self._source.get_variables(names)
            self._cache[key] = (time.monotonic(), values)
            return values


class ActorNode(_Looping):
    """One exploring actor in an EnvironmentLoop: writes to the replay, counts
    'actor_steps' and 'actor_episodes', logs each episode as 'actor_<index>'.
    TensorFlow sees no GPU here."""

    # Env steps per `EnvironmentLoop.run` call between stop checks.
    CHUNK_STEPS = 1_000

    def __init__(self, program: ProgramConfig, index: int, replay_address: str,
                 variable_handle, counter_handle, log_handle):
        super().__init__()
        cluster.hide_gpus()
        import numpy as np
        import tensorflow as tf
        import troupe
        from troupe.components import counting
        from troupe.distributed import parts
        seed = program.actor_seed(index)
        tf.random.set_seed(seed)
        np.random.seed(seed % 2**32)
        agent_parts = parts.AgentParts(program)
        self._environment = agent_parts.make_environment(seed)
        actor = agent_parts.make_actor(replay_address, RayVariableSource(variable_handle),
                                  index)
        actor.update(wait=True)  # Start from the learner's current weights.
        self._counter = counting.Counter(RemoteCounter(counter_handle), prefix='actor',
                                         time_delta=1.0)
        label = f'actor_{index}'
        self._logger = RemoteLogger(log_handle, label)
        from troupe.components import loggers
        self._loop = troupe.EnvironmentLoop(
            self._environment, actor, self._counter,
            loggers.TeamReturnFilter(self._logger), label=label)
        self._chunk = (1 if program.num_envs is None
                       else self.CHUNK_STEPS)

    def run(self) -> int:
        """Acts until `stop()`; returns the env steps it took."""
        steps = 0
        while not self.stopping:
            # One episode per call in one environment; batched, CHUNK_STEPS.
            steps += self._loop.run(num_steps=self._chunk)
        self._counter.flush()
        self._logger.flush()
        return steps

    def node_id(self) -> str:
        """The Ray node this actor runs on."""
        import ray
        return ray.get_runtime_context().get_node_id()

    def visible_gpus(self) -> Dict[str, Any]:
        """What this process lets TensorFlow see (nothing, for an actor)."""
        import tensorflow as tf
        return {'CUDA_VISIBLE_DEVICES': os.environ.get('CUDA_VISIBLE_DEVICES'),
                'gpus': len(tf.config.list_physical_devices('GPU'))}

    def close(self) -> None:
        self._environment.close()


class EvaluatorNode(_Looping):
    """Every `evaluation_period_seconds`, fetches the learner's variables, runs
    `evaluation_episodes` episodes of the greedy policy, and logs their mean
    return as 'evaluator' with the actor and learner step counts of that time."""

    def __init__(self, program: ProgramConfig, variable_handle, counter_handle,
                 log_handle):
        super().__init__()
        cluster.hide_gpus()
        import tensorflow as tf
        import troupe
        from troupe.components import loggers
        from troupe.distributed import parts
        tf.random.set_seed(program.evaluator_seed)
        self._program = program
        agent_parts = parts.AgentParts(program)
        self._actor = agent_parts.make_evaluation_actor(RayVariableSource(variable_handle))
        self._environment = agent_parts.make_evaluation_environment()
        self._loop = troupe.EnvironmentLoop(self._environment, self._actor,
                                            should_update=False,
                                            logger=loggers.NoOpLogger())
        self._counts = RemoteCounter(counter_handle)
        self._logger = RemoteLogger(log_handle, 'evaluator')

    def evaluate(self) -> Dict[str, Any]:
        """Runs one evaluation now and returns (and logs) its row."""
        import numpy as np
        from troupe.environments.multiagent import team_return
        self._actor.update(wait=True)
        counts = self._counts.get_counts()
        returns = [team_return(self._loop.run_episode()['episode_return'])
                   for _ in range(self._program.evaluation_episodes)]
        row = {'actor_steps': int(counts.get('actor_steps', 0)),
               'learner_steps': int(counts.get('learner_steps', 0)),
               'evaluation_return': float(np.mean(returns)),
               'evaluation_return_min': float(np.min(returns)),
               'evaluation_return_max': float(np.max(returns))}
        self._logger.write(row)
        return row

    def run(self) -> int:
        """Evaluates until `stop()`; returns the number of evaluations."""
        evaluations = 0
        while not self.stopping:
            self.evaluate()
            evaluations += 1
            self._stop.wait(self._program.evaluation_period_seconds)
        self._logger.flush()
        return evaluations
