"""The nodes of a distributed program, each a Ray actor in its own process.

    ReplayNode     the Reverb server with the agent's tables, checkpointed
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
    """A `reverb.Server` with the agent's replay tables, checkpointed to
    `<logdir>/checkpoints/replay` every `replay_checkpoint_minutes` (and when
    the program stops) and started from the newest intact checkpoint there.

    The checkpoints are `troupe.components.run_checkpoints` directories
    (`<n>/replay` is Reverb's own checkpoint: items, priorities, rate-limiter
    state; `<n>/manifest.json` the item and insert counts), written atomically,
    so a node killed while saving restarts from the previous one.

    Args:
      program: the agent, environment and settings.
      port: the port to serve on; None: a free one. A restarted replay node is
        given its predecessor's port, so that its address stays the same.
    """

    def __init__(self, program: ProgramConfig, port: Optional[int] = None):
        import reverb
        from troupe.components import run_checkpoints
        from troupe.distributed import parts
        self._directory = replay_checkpoint_directory(program.logdir)
        os.makedirs(self._directory, exist_ok=True)
        checkpoint = run_checkpoints.latest(self._directory)
        self._server = reverb.Server(
            parts.AgentParts(program).replay_tables(), port=port,
            checkpointer=run_checkpoints.replay_checkpointer(self._directory, checkpoint))
        self._address = f'{cluster.node_address()}:{self._server.port}'
        self._client = reverb.Client(self._address)
        # What the server holds before any client writes: the checkpoint's items.
        self._restored = {
            'checkpoint': None if checkpoint is None else checkpoint.number,
            'tables': self.table_stats()}
        self._saver = run_checkpoints.RunCheckpointer(
            self._directory, {}, replay_client=self._client, keep=2,
            period_seconds=60 * program.replay_checkpoint_period_minutes)
        self._save_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._save_periodically,
                                        name='replay-checkpoints', daemon=True)
        self._thread.start()

    def address(self) -> str:
        """'HOST:PORT' that clients on any node of the cluster can reach."""
        return self._address

    def port(self) -> int:
        return int(self._server.port)

    def table_sizes(self) -> Dict[str, int]:
        return {name: stats['size'] for name, stats in self.table_stats().items()}

    def table_stats(self) -> Dict[str, Dict[str, int]]:
        """Per table: 'size' (items held) and 'inserts' (items ever inserted,
        carried over by Reverb's checkpoints)."""
        info = self._client.server_info(timeout=30)
        return {name: {'size': int(table.current_size),
                       'inserts': int(table.rate_limiter_info.insert_stats.completed)}
                for name, table in info.items()}

    def restored(self) -> Dict[str, Any]:
        """The checkpoint this server started from ('checkpoint': its number,
        None for an empty start) and its tables' stats then."""
        return dict(self._restored)

    def save(self) -> Dict[str, Any]:
        """Checkpoints the tables now; returns the checkpoint's number, the
        stats just before it and the seconds the save took. Actors go on
        inserting while it saves, so the checkpoint holds at least those
        items (`restored()` of a server started from it gives the exact ones)."""
        with self._save_lock:
            stats = self.table_stats()
            checkpoint = self._saver.save({'tables': stats})
        return {'checkpoint': checkpoint.number, 'tables': stats,
                'seconds': self._saver.save_seconds[-1]}

    def checkpoints_saved(self) -> int:
        return len(self._saver.save_seconds)

    def _save_periodically(self) -> None:
        while not self._stop.wait(1.0):
            if not self._saver.due():
                continue
            try:
                self.save()
            except Exception as error:  # pylint: disable=broad-except
                _log.warning('Could not checkpoint the replay: %s', error)

    def ping(self) -> bool:
        return True

    def pid(self) -> int:
        return os.getpid()

    def stop(self) -> None:
        """Stops the server; blocked inserts and samples everywhere fail."""
        self._stop.set()
        with self._save_lock:
            self._server.stop()


def replay_checkpoint_directory(logdir: str) -> str:
    """Where the replay node of a program with this `logdir` checkpoints."""
    return os.path.join(logdir, 'checkpoints', 'replay')


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
    the recent rows of each label for the driver. The logs of a program started
    again on its logdir are appended to, and their rows are among the recent
    ones (cut back to the restored counts first: `resuming.cut_logs`)."""

    def __init__(self, logdir: str):
        from troupe.distributed import resuming
        self._logdir = logdir
        self._writers: Dict[str, Any] = {}
        self._recent: Dict[str, Deque[Dict[str, Any]]] = {
            label: collections.deque(resuming.read_rows(logdir, label, RECENT_ROWS),
                                     maxlen=RECENT_ROWS)
            for label in resuming.labels(logdir)}

    def write(self, label: str, row: Dict[str, Any]) -> None:
        from troupe.components import loggers
        if label not in self._writers:
            self._writers[label] = loggers.CSVLogger(self._logdir, label=label,
                                                     add_uid=False)
            self._recent.setdefault(label, collections.deque(maxlen=RECENT_ROWS))
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
        self._logger.flush()  # Logged before the caller reads the log node's rows.
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
