"""The distributed program: launch every node on Ray, watch them, stop them.

    program = DistributedProgram(ProgramConfig('dqn', 'cartpole', hyperparameters),
                                 num_actors=4, stop=StopConditions(max_actor_steps=100_000))
    results = program.run()        # or: program.launch(); ...; program.wait()

Data flows actors -> Reverb -> learner as in one process; variables flow
learner -> actors through each actor's `VariableClient`, whose source is the
learner node's handle (or a `VariableCache` node in between).

Faults: an actor or evaluator node whose process dies is restarted by Ray
(`max_restarts`) and its loop is started again; a learner node that dies is
restarted from its latest checkpoint. If the replay node dies the program stops
with `ReplayServerLost`: the replay contents are gone (troupe does not restore
Reverb checkpoints), while the learner and counters are saved, so running the
same program again (same `logdir`) resumes training from them. Stopping, for
whatever reason, saves the learner's and the counter's checkpoints first.
"""

import json
import logging
import os
import sys
import time
from typing import Any, Callable, Dict, List, Mapping, Optional

import ray

from troupe import errors
from troupe.distributed import cluster, nodes
from troupe.distributed.config import ProgramConfig, StopConditions

_log = logging.getLogger(__name__)

RESULTS_FILE = 'results.json'


class ReplayServerLost(RuntimeError):
    """The replay node died; its data cannot be recovered."""


class NodeFailed(RuntimeError):
    """A node raised an error, or died more often than it may be restarted."""


def _print(line: str) -> None:
    print(line, file=sys.stdout, flush=True)


class DistributedProgram:
    """A replay node, a counter node, a log node, a learner node, `num_actors`
    actor nodes and an evaluator node, run until a stop condition is met."""

    def __init__(self,
                 program: ProgramConfig,
                 num_actors: int,
                 stop: StopConditions,
                 ray_address: Optional[str] = None,
                 num_cpus: Optional[int] = None,
                 max_actor_restarts: int = 3,
                 max_learner_restarts: int = 1,
                 variable_cache_seconds: Optional[float] = None,
                 actor_resources: Optional[Mapping[str, float]] = None,
                 progress: Optional[Callable[[str], None]] = _print,
                 progress_seconds: float = 10.0,
                 poll_seconds: float = 0.5):
        """Checks the settings (the agent's parts are checked once here, so that bad
        hyperparameters fail before any node starts).

        Args:
          program: the agent, environment and settings.
          num_actors: actor nodes (>= 1).
          stop: when to stop.
          ray_address: a running cluster to join ('HOST:PORT' or 'auto');
            None starts a local Ray for this program.
          num_cpus: CPUs of a local Ray (default: all of this machine's).
          max_actor_restarts: restarts of each actor (and the evaluator).
          max_learner_restarts: restarts of the learner (from its checkpoint).
          variable_cache_seconds: None: actors fetch variables from the
            learner; a number: through a cache node refreshed that often.
          actor_resources: custom Ray resources each actor node needs (e.g.
            {'simulator': 1}), which places the actors on the nodes started
            with them (`ray start --resources='{"simulator": 8}'`).
          progress: called with one line of progress every `progress_seconds`
            (None: silent).
          poll_seconds: how often the driver checks the nodes.
        """
        from troupe.distributed import parts
        if isinstance(num_actors, bool) or not isinstance(num_actors, int) \
                or num_actors < 1:
            raise ValueError(f'num_actors must be an integer >= 1, got {num_actors!r}.')
        for name, value in (('max_actor_restarts', max_actor_restarts),
                            ('max_learner_restarts', max_learner_restarts)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f'{name} must be an integer >= 0, got {value!r}.')
        if (program.actor_exploration is not None
                and len(program.actor_exploration) != num_actors):
            raise ValueError(
                f'actor_exploration has {len(program.actor_exploration)} values for '
                f'{num_actors} actors; give one per actor.')
        for name, amount in (actor_resources or {}).items():
            if not isinstance(name, str) or not name or isinstance(amount, bool) \
                    or not isinstance(amount, (int, float)) or amount <= 0:
                raise errors.InvalidInput(
                    f'actor_resources maps resource names to amounts > 0, got '
                    f'{name!r}: {amount!r}.')
        parts.AgentParts(program)  # Raises now for bad settings.
        self._actor_resources = dict(actor_resources or {})
        self.program = program
        self.num_actors = num_actors
        self.stop_conditions = stop
        self._ray_address = ray_address
        self._num_cpus = num_cpus
        self._max_restarts = {'learner': max_learner_restarts}
        self._max_actor_restarts = max_actor_restarts
        self._variable_cache_seconds = variable_cache_seconds
        self._progress = progress
        self._progress_seconds = progress_seconds
        self._poll_seconds = poll_seconds
        self._started_ray = False
        self._launched = False
        self.nodes: Dict[str, Any] = {}
        self.restarts: Dict[str, int] = {}
        self.actor_nodes: Dict[str, str] = {}  # actor name -> Ray node id
        self._running: Dict[str, Any] = {}  # node name -> ObjectRef of run()
        self._start_time: Optional[float] = None
        self._stop_request: Optional[str] = None

    # Launch.
    def launch(self) -> None:
        """Starts Ray (or joins it), builds every node and starts their loops."""
        if self._launched:
            raise RuntimeError('This program was launched already.')
        self._launched = True
        os.makedirs(self.program.logdir, exist_ok=True)
        self._started_ray = cluster.connect(self._ray_address, self._num_cpus)
        try:
            self._launch_nodes()
        except BaseException:
            self._teardown()
            raise

    def _launch_nodes(self) -> None:
        program = self.program
        resources = cluster.total_resources()
        missing = [name for name in self._actor_resources if name not in resources]
        if missing:
            raise errors.InvalidInput(
                f'No node of the cluster has the resource {missing[0]!r} the actors '
                f'ask for; its resources: {", ".join(sorted(resources))}.')
        evaluator = program.evaluation_episodes > 0
        cpus = cluster.cpu_share(1 + self.num_actors + int(evaluator), resources)
        here = ray.get_runtime_context().get_node_id()
        pinned = ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(
            node_id=here, soft=False)
        light = dict(num_cpus=0)
        # Logs and checkpoints of the counter go to this machine's logdir.
        log = ray.remote(nodes.LogNode).options(
            scheduling_strategy=pinned, **light).remote(program.logdir)
        counter = ray.remote(nodes.CounterNode).options(
            scheduling_strategy=pinned, **light).remote(program)
        replay = ray.remote(nodes.ReplayNode).options(**light).remote(program)
        address = ray.get(replay.address.remote())
        gpus = 1 if resources.get('GPU', 0) >= 1 else 0
        learner = ray.remote(nodes.LearnerNode).options(
            num_cpus=cpus, num_gpus=gpus, max_concurrency=4,
            max_restarts=self._max_restarts['learner'],
            # The learner's checkpoints live on this machine's logdir.
            scheduling_strategy=pinned).remote(program, address, counter, log)
        source = learner
        if self._variable_cache_seconds is not None:
            source = ray.remote(nodes.VariableCache).options(
                max_concurrency=8, **light).remote(learner, self._variable_cache_seconds)
        self.nodes = {'log': log, 'counter': counter, 'replay': replay,
                      'learner': learner}
        if source is not learner:
            self.nodes['variable_cache'] = source
        looping = dict(num_cpus=cpus, max_concurrency=2,
                       max_restarts=self._max_actor_restarts)
        acting = dict(looping, resources=self._actor_resources) \
            if self._actor_resources else looping
        for index in range(self.num_actors):
            name = f'actor_{index}'
            self.nodes[name] = ray.remote(nodes.ActorNode).options(**acting).remote(
                program, index, address, source, counter, log)
            self._max_restarts[name] = self._max_actor_restarts
        if evaluator:
            self.nodes['evaluator'] = ray.remote(nodes.EvaluatorNode).options(
                **looping).remote(program, source, counter, log)
            self._max_restarts['evaluator'] = self._max_actor_restarts
        self.restarts = {name: 0 for name in self._max_restarts}
        # Where each actor runs (node ids), once it is built.
        self.actor_nodes = dict(zip(
            [f'actor_{i}' for i in range(self.num_actors)],
            ray.get([self.nodes[f'actor_{i}'].node_id.remote()
                     for i in range(self.num_actors)])))
        for name in self._max_restarts:
            self._running[name] = self.nodes[name].run.remote()
        self._start_time = time.monotonic()
        self._say(f'Launched {self.num_actors} actor(s), a learner'
                  f'{" on a GPU" if gpus else ""}, a replay server at {address}'
                  f'{" and an evaluator" if evaluator else ""}; logs in '
                  f'{program.logdir}.')

    # Watch.
    def counts(self) -> Dict[str, Any]:
        """The counter node's totals (actor_steps, learner_steps, ...)."""
        return ray.get(self.nodes['counter'].get_counts.remote())

    def request_stop(self, reason: str = 'stop requested') -> None:
        """Makes `wait()` stop the program at its next check (thread-safe)."""
        self._stop_request = reason

    def elapsed(self) -> float:
        return 0.0 if self._start_time is None else time.monotonic() - self._start_time

    def _check_nodes(self) -> None:
        """Restarts the loops of nodes Ray restarted; raises for lost nodes."""
        try:
            ray.get(self.nodes['replay'].ping.remote(), timeout=60)
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError) as error:
            raise ReplayServerLost(
                'The replay server node died, and with it the replay data (troupe '
                'does not restore Reverb checkpoints). The learner and counters '
                f'were saved under {self.program.logdir}; run the same program '
                'again with this logdir to resume from them.') from error
        for name, ref in list(self._running.items()):
            done, _ = ray.wait([ref], timeout=0)
            if not done:
                continue
            try:
                ray.get(ref)
            except ray.exceptions.RayActorError as error:
                if self.restarts[name] >= self._max_restarts[name]:
                    raise NodeFailed(
                        f'Node {name} died {self.restarts[name] + 1} time(s), more '
                        f'than its {self._max_restarts[name]} restart(s): {error}'
                    ) from error
                self.restarts[name] += 1
                self._say(f'Node {name} died; Ray restarts it (restart '
                          f'{self.restarts[name]} of {self._max_restarts[name]}).')
                self._running[name] = self.nodes[name].run.remote()
                continue
            except ray.exceptions.RayTaskError as error:
                raise NodeFailed(f'Node {name} failed: {error}') from error
            raise NodeFailed(f'Node {name} stopped before the program did.')

    def wait(self) -> Dict[str, Any]:
        """Watches the nodes until a stop condition is met, then stops them all
        (saving checkpoints) and returns the results (also written to
        `<logdir>/results.json`)."""
        if not self._launched:
            raise RuntimeError('Call launch() first (or run()).')
        last_progress = time.monotonic()
        try:
            while True:
                self._check_nodes()
                counts = self.counts()
                reason = self._stop_request or self.stop_conditions.reached(
                    int(counts.get('actor_steps', 0)),
                    int(counts.get('learner_steps', 0)), self.elapsed())
                if reason is not None:
                    break
                if time.monotonic() - last_progress >= self._progress_seconds:
                    last_progress = time.monotonic()
                    self._say(self._progress_line(counts))
                time.sleep(self._poll_seconds)
            self._say(f'Stopping: {reason}.')
        except BaseException as error:
            # Without a replay server, actors blocked on inserts never return.
            self._shutdown(saving=True, reason=f'error: {type(error).__name__}',
                           loop_timeout=5 if isinstance(error, ReplayServerLost) else 30)
            raise
        return self._shutdown(saving=True, reason=reason)

    def run(self) -> Dict[str, Any]:
        """`launch()`, then `wait()`."""
        self.launch()
        return self.wait()

    def shutdown(self) -> None:
        """Stops a launched program now, saving checkpoints (idempotent)."""
        if self.nodes:
            self._shutdown(saving=True, reason=self._stop_request or 'shut down')

    def __enter__(self):
        return self

    def __exit__(self, *unused_exc_info):
        self.shutdown()

    def _progress_line(self, counts: Dict[str, Any]) -> str:
        elapsed = self.elapsed()
        actor_steps = int(counts.get('actor_steps', 0))
        line = (f'[{elapsed:6.0f} s] actor steps {actor_steps} '
                f'({actor_steps / max(elapsed, 1e-9):.0f}/s), learner steps '
                f'{int(counts.get("learner_steps", 0))}')
        if 'evaluator' in self.nodes:
            rows = ray.get(self.nodes['log'].rows.remote('evaluator'))
            if rows:
                line += f', evaluation return {rows[-1]["evaluation_return"]:.1f}'
        restarts = sum(self.restarts.values())
        if restarts:
            line += f', restarts {restarts}'
        return line

    # Stop.
    def _shutdown(self, saving: bool, reason: str = '',
                  loop_timeout: float = 30) -> Dict[str, Any]:
        """Stops the loops (waiting up to `loop_timeout` s for the actors to
        finish their episodes), saves, stops the replay server, gathers results
        and ends every node (and Ray, if this program started it)."""
        results: Dict[str, Any] = {}
        try:
            seconds = self.elapsed()
            self._stop_loops([n for n in self._running if n != 'learner'],
                             timeout=loop_timeout)
            if 'learner' in self._running:
                self.nodes['learner'].stop.remote()
            if saving:
                self._save()
            if 'replay' in self.nodes:
                try:
                    ray.get(self.nodes['replay'].stop.remote(), timeout=30)
                except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
                    pass  # Already dead.
            # Stopping the server ended any sample the learner waited on;
            # everything is saved already, so this wait can be short.
            self._stop_loops(['learner'] if 'learner' in self._running else [],
                             timeout=5)
            results = self._results(reason, seconds)
        finally:
            self._teardown()
        return results

    def _stop_loops(self, names: List[str], timeout: float) -> None:
        for name in names:
            try:
                self.nodes[name].stop.remote()
            except ray.exceptions.RayError:
                pass
        refs = [self._running[name] for name in names]
        if refs:
            ray.wait(refs, num_returns=len(refs), timeout=timeout)

    def _save(self) -> None:
        for name in ('learner', 'counter'):
            if name not in self.nodes:
                continue
            try:
                ray.get(self.nodes[name].save.remote(), timeout=120)
            except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError) as error:
                self._say(f'Could not save the {name} checkpoint: {error}')

    def _results(self, reason: str, seconds: float) -> Dict[str, Any]:
        learner_updates = None
        try:
            learner_updates = ray.get(self.nodes['learner'].num_updates.remote(),
                                      timeout=30)
        except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
            pass
        try:
            counts = self.counts()
            evaluations = (ray.get(self.nodes['log'].rows.remote('evaluator'))
                           if 'evaluator' in self.nodes else [])
            ray.get(self.nodes['log'].close.remote())
        except ray.exceptions.RayError:
            counts, evaluations = {}, []
        actor_steps = int(counts.get('actor_steps', 0))
        learner_steps = int(counts.get('learner_steps', 0))
        results = {
            'agent': self.program.agent, 'env': self.program.env,
            'num_actors': self.num_actors, 'num_envs': self.program.num_envs,
            'stopped_because': reason, 'seconds': round(seconds, 2),
            'counts': {key: _plain(value) for key, value in counts.items()},
            'actor_steps_per_second': actor_steps / max(seconds, 1e-9),
            'learner_steps_per_second': learner_steps / max(seconds, 1e-9),
            'learner_updates': learner_updates,
            'restarts': dict(self.restarts),
            'actor_nodes': dict(self.actor_nodes),
            'evaluations': [{key: _plain(value) for key, value in row.items()}
                            for row in evaluations],
        }
        path = os.path.join(self.program.logdir, RESULTS_FILE)
        with open(f'{path}.tmp', 'w', encoding='utf-8') as file:
            json.dump(results, file, indent=2)
            file.write('\n')
        os.replace(f'{path}.tmp', path)
        return results

    def _teardown(self) -> None:
        for handle in self.nodes.values():
            try:
                ray.kill(handle)
            except Exception:  # Already gone.
                pass
        self.nodes = {}
        self._running = {}
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def _say(self, line: str) -> None:
        _log.info(line)
        if self._progress is not None:
            self._progress(line)


def _plain(value):
    """JSON-friendly numbers (numpy scalars become Python ones)."""
    return value.item() if hasattr(value, 'item') else value
