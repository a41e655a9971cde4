"""The distributed program: launch every node on Ray, watch them, stop them.

    program = DistributedProgram(ProgramConfig('dqn', 'cartpole', hyperparameters),
                                 num_actors=4, stop=StopConditions(max_actor_steps=100_000))
    results = program.run()        # or: program.launch(); ...; program.wait()

Data flows actors -> Reverb -> learner as in one process; variables flow
learner -> actors through each actor's `VariableClient`, whose source is the
learner node's handle (or a `VariableCache` node in between).

Faults: an actor or evaluator node whose process dies is restarted by Ray
(`max_restarts`) and its loop is started again once the new process answers; a
learner node that dies is restarted from its latest checkpoint, and the actors
and the evaluator wait for it (`RayVariableSource`). The replay node checkpoints
its tables every `replay_checkpoint_minutes`; if it dies, the program starts a
new one on the same port from its latest checkpoint, and restarts the learner
(saved first, then restored from that save), the actors and the evaluator,
whose Reverb writers and samplers do not reconnect by themselves (a writer or
sampler waiting on a dead server waits for ever). Items inserted after the
replay's last checkpoint are lost and reported. After `max_replay_restarts`
restarts the program stops with `ReplayServerLost`. Stopping, for whatever
reason, saves the learner's, the counter's and the replay's checkpoints first.

Running the same program again (same `logdir`, e.g. after its driver was
killed) resumes from those checkpoints: see `troupe.distributed.resuming` for
the logs and results.json (written every `RESULTS_SECONDS` while it runs),
which continue the run's, and `run_seconds()`, which `max_seconds` counts.
"""

import json
import logging
import os
import sys
import time
from typing import Any, Callable, Dict, List, Mapping, Optional

import ray

from troupe import errors
from troupe.distributed import cluster, nodes, resuming
from troupe.distributed.config import ProgramConfig, StopConditions

_log = logging.getLogger(__name__)

RESULTS_FILE = resuming.RESULTS_FILE
# Seconds between the writes of results.json while the program runs.
RESULTS_SECONDS = 5.0
# Tries to start a replacement replay node on its predecessor's port.
REPLAY_LAUNCH_ATTEMPTS = 3


class ReplayServerLost(RuntimeError):
    """The replay node died more often than it may be restarted, or could not
    be restarted."""


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
                 max_replay_restarts: int = 3,
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
          max_replay_restarts: restarts of the replay node (from its latest
            checkpoint); one more death stops the program with
            `ReplayServerLost`.
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
                            ('max_learner_restarts', max_learner_restarts),
                            ('max_replay_restarts', max_replay_restarts)):
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
        self._max_replay_restarts = max_replay_restarts
        self._variable_cache_seconds = variable_cache_seconds
        self._progress = progress
        self._progress_seconds = progress_seconds
        self._poll_seconds = poll_seconds
        self._started_ray = False
        self._launched = False
        self.nodes: Dict[str, Any] = {}
        self.restarts: Dict[str, int] = {}
        self._gpus = 0
        self.actor_nodes: Dict[str, str] = {}  # actor name -> Ray node id
        self._running: Dict[str, Any] = {}  # node name -> ObjectRef of run()
        # Nodes Ray is restarting: name -> ObjectRef of a ping of the new process.
        self._recovering: Dict[str, Any] = {}
        self._start_time: Optional[float] = None
        self._stop_request: Optional[str] = None
        # The replay node: where it runs, its port, its tables' latest stats.
        self._replay_port: Optional[int] = None
        self._replay_stats: Optional[Dict[str, Dict[str, int]]] = None
        self.replay_restarts: List[Dict[str, Any]] = []
        self._replay_restored: Dict[str, Any] = {}
        # A program started again on its logdir: what the previous launches
        # reported (their results.json), their seconds, and this resume.
        self._previous: Dict[str, Any] = {}
        self._seconds_before = 0.0
        self.resumed: Optional[Dict[str, Any]] = None
        self._final_evaluation: Optional[Dict[str, Any]] = None

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
        light = dict(num_cpus=0, scheduling_strategy=self._pinned())
        # Logs and checkpoints of the counter go to this machine's logdir.
        counter = ray.remote(nodes.CounterNode).options(**light).remote(program)
        self.nodes = {'counter': counter}
        # Started again on its logdir: the logs are cut back to the counts the
        # counter restored before the log node appends to them.
        counts = ray.get(counter.get_counts.remote())
        self._previous = resuming.previous_results(program.logdir)
        self._seconds_before = float(self._previous.get('seconds') or 0.0)
        dropped = resuming.cut_logs(program.logdir, counts)
        self.nodes['log'] = ray.remote(nodes.LogNode).options(**light).remote(
            program.logdir)
        address = self._launch_replay()
        self._replay_restored = ray.get(self.nodes['replay'].restored.remote())
        self._launch_workers(address, resources)
        restored = self._replay_restored
        if counts or self._previous or restored.get('checkpoint') is not None:
            self._note_resume(counts, dropped)
        self._start_time = time.monotonic()
        self._say(f'Launched {self.num_actors} actor(s), a learner'
                  f'{" on a GPU" if self._gpus else ""}, a replay server at {address}'
                  + (f' (restored from its checkpoint {restored["checkpoint"]}: '
                     f'{_items(restored["tables"])} items)'
                     if restored.get('checkpoint') is not None else '')
                  + f'{" and an evaluator" if "evaluator" in self.nodes else ""}; '
                  f'logs in {program.logdir}.')
        self._write_results(None)

    def _note_resume(self, counts: Mapping[str, Any], dropped: Mapping[str, int]) -> None:
        """Records and says what a program started again on its logdir
        continues from."""
        try:
            updates = ray.get(self.nodes['learner'].num_updates.remote(), timeout=60)
        except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
            updates = None
        restored = self._replay_restored
        self.resumed = {
            'at_seconds': round(self._seconds_before, 2),
            'counts': {key: _plain(value) for key, value in counts.items()},
            'learner_updates': updates,
            'replay_checkpoint': restored.get('checkpoint'),
            'replay_items': _items(restored['tables']),
            'log_rows_dropped': dict(dropped)}
        self._say(f'Resuming the run in {self.program.logdir} from its checkpoints: '
                  f'{int(counts.get("actor_steps", 0)):,} actor steps, '
                  f'{int(counts.get("learner_steps", 0)):,} learner steps'
                  + (f' ({updates:,} learner updates)' if updates is not None else '')
                  + f', {self._seconds_before:.0f} s so far; replay '
                  + (f'from its checkpoint {restored["checkpoint"]} with '
                     f'{_items(restored["tables"]):,} items'
                     if restored.get('checkpoint') is not None else 'empty (no checkpoint)')
                  + '.')
        if dropped:
            self._say('Dropped the log rows written after the counter\'s checkpoint '
                      '(their steps are taken again): ' + ', '.join(
                          f'{label} {n}' for label, n in sorted(dropped.items())) + '.')

    def _pinned(self):
        """A scheduling strategy placing a node on the driver's Ray node (where
        the logdir is)."""
        here = ray.get_runtime_context().get_node_id()
        return ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(
            node_id=here, soft=False)

    def _launch_replay(self) -> str:
        """Starts the replay node (on its predecessor's port, if it had one)
        and returns its address."""
        # Its checkpoints live on this machine's logdir.
        replay = ray.remote(nodes.ReplayNode).options(
            num_cpus=0, max_concurrency=4, scheduling_strategy=self._pinned()
        ).remote(self.program, self._replay_port)
        self.nodes['replay'] = replay
        address = ray.get(replay.address.remote(), timeout=300)
        self._replay_port = int(address.rsplit(':', 1)[1])
        self._replay_stats = None
        return address

    def _launch_workers(self, address: str,
                        resources: Optional[Dict[str, float]] = None) -> None:
        """Builds the learner, the variable cache, the actors and the
        evaluator for the replay at `address`, and starts their loops."""
        program = self.program
        resources = cluster.total_resources() if resources is None else resources
        counter, log = self.nodes['counter'], self.nodes['log']
        evaluator = program.evaluation_episodes > 0
        cpus = cluster.cpu_share(1 + self.num_actors + int(evaluator), resources)
        self._gpus = gpus = 1 if resources.get('GPU', 0) >= 1 else 0
        learner = ray.remote(nodes.LearnerNode).options(
            num_cpus=cpus, num_gpus=gpus, max_concurrency=4,
            max_restarts=self._max_restarts['learner'],
            # The learner's checkpoints live on this machine's logdir.
            scheduling_strategy=self._pinned()).remote(program, address, counter, log)
        source = learner
        self.nodes['learner'] = learner
        if self._variable_cache_seconds is not None:
            source = ray.remote(nodes.VariableCache).options(
                max_concurrency=8, num_cpus=0).remote(learner,
                                                      self._variable_cache_seconds)
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
        for name in self._max_restarts:
            self.restarts.setdefault(name, 0)
        self.restarts.setdefault('replay', 0)
        # Where each actor runs (node ids), once it is built.
        self.actor_nodes = dict(zip(
            [f'actor_{i}' for i in range(self.num_actors)],
            ray.get([self.nodes[f'actor_{i}'].node_id.remote()
                     for i in range(self.num_actors)])))
        for name in self._max_restarts:
            self._running[name] = self.nodes[name].run.remote()

    # Watch.
    def counts(self) -> Dict[str, Any]:
        """The counter node's totals (actor_steps, learner_steps, ...)."""
        return ray.get(self.nodes['counter'].get_counts.remote())

    def request_stop(self, reason: str = 'stop requested') -> None:
        """Makes `wait()` stop the program at its next check (thread-safe)."""
        self._stop_request = reason

    def elapsed(self) -> float:
        """Seconds since this launch's nodes started."""
        return 0.0 if self._start_time is None else time.monotonic() - self._start_time

    def run_seconds(self) -> float:
        """The run's seconds: this launch's and those of the launches before it
        on the same logdir (what `max_seconds` counts)."""
        return self._seconds_before + self.elapsed()

    def _check_nodes(self) -> None:
        """Restarts the loops of nodes Ray restarted; raises for lost nodes."""
        try:
            self._replay_stats = ray.get(self.nodes['replay'].table_stats.remote(),
                                         timeout=60)
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError) as error:
            self._restart_replay(error)
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
                # Its loop starts again once the new process answers: a call
                # made while Ray restarts it fails as if it had died again.
                del self._running[name]
                self._recovering[name] = self.nodes[name].pid.remote()
                continue
            except ray.exceptions.RayTaskError as error:
                raise NodeFailed(f'Node {name} failed: {error}') from error
            raise NodeFailed(f'Node {name} stopped before the program did.')
        for name, ping in list(self._recovering.items()):
            if not ray.wait([ping], timeout=0)[0]:
                continue
            try:
                ray.get(ping)
            except ray.exceptions.ActorUnavailableError:  # Still restarting.
                self._recovering[name] = self.nodes[name].pid.remote()
                continue
            except ray.exceptions.RayActorError as error:
                raise NodeFailed(f'Node {name} could not be restarted: {error}') from error
            del self._recovering[name]
            self._running[name] = self.nodes[name].run.remote()

    def _restart_replay(self, error: BaseException) -> None:
        """Starts a new replay node from the latest replay checkpoint on the
        same port, and new learner, actor and evaluator nodes for it (their
        Reverb clients would wait for ever on the dead server); raises
        `ReplayServerLost` once `max_replay_restarts` are used up."""
        deaths = self.restarts.get('replay', 0) + 1
        if deaths > self._max_replay_restarts:
            raise ReplayServerLost(
                f'The replay server node died {deaths} time(s), more than its '
                f'{self._max_replay_restarts} restart(s) (max_replay_restarts). The '
                f'learner, counters and replay checkpoints are under '
                f'{self.program.logdir}.') from error
        start, noticed = time.monotonic(), self.run_seconds()
        self.restarts['replay'] = deaths
        self._say(f'The replay server node died ({type(error).__name__}); restarting '
                  f'it from its latest checkpoint (restart {deaths} of '
                  f'{self._max_replay_restarts}) with the learner, actors and '
                  'evaluator.')
        before = self._replay_stats
        # The learner waits on the dead server: save it while it waits.
        self._save(names=('learner', 'counter'))
        workers = [name for name in self.nodes if name not in ('log', 'counter')]
        for name in workers:
            try:
                ray.kill(self.nodes.pop(name), no_restart=True)
            except Exception:  # pylint: disable=broad-except
                pass  # Already gone.
        self._running.clear()
        self._recovering.clear()
        for attempt in range(REPLAY_LAUNCH_ATTEMPTS):
            # A hung (not dead) predecessor may hold the port a little longer.
            try:
                address = self._launch_replay()
                restored = ray.get(self.nodes['replay'].restored.remote(), timeout=60)
                break
            except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError) as failure:
                failed = self.nodes.pop('replay', None)
                try:
                    if failed is not None:
                        ray.kill(failed, no_restart=True)
                except Exception:  # pylint: disable=broad-except
                    pass  # Already gone.
                if attempt + 1 == REPLAY_LAUNCH_ATTEMPTS:
                    raise ReplayServerLost(
                        f'The replay server node died and could not be restarted on '
                        f'port {self._replay_port} in {REPLAY_LAUNCH_ATTEMPTS} '
                        f'attempts (restart {deaths} of {self._max_replay_restarts}): '
                        f'{failure}') from error
                time.sleep(5.0)
        replay_seconds = time.monotonic() - start
        self._launch_workers(address)
        # `at_seconds`: when the driver saw it dead; `seconds`: from then until
        # every new node is built; `replay_seconds`: until the replay server
        # serves again (the checkpoint's items loaded).
        event = {'restart': deaths, 'at_seconds': round(noticed, 2),
                 'seconds': round(time.monotonic() - start, 2),
                 'replay_seconds': round(replay_seconds, 2),
                 'checkpoint': restored['checkpoint'],
                 'items_restored': _items(restored['tables']),
                 'inserts_restored': _inserts(restored['tables']),
                 'inserts_observed': None, 'items_lost': None}
        if before is not None:
            # Inserted after the checkpoint, as far as the last poll saw.
            event['inserts_observed'] = _inserts(before)
            event['items_lost'] = max(0, _inserts(before) - _inserts(restored['tables']))
        self.replay_restarts.append(event)
        ray.get(self.nodes['log'].write.remote('replay', dict(event)))
        lost = ('an unknown number of' if event['items_lost'] is None
                else f'{event["items_lost"]}')
        self._say(f'Restarted the replay server at {address} in '
                  f'{event["replay_seconds"]:.1f} s (and every node using it in '
                  f'{event["seconds"]:.1f} s) from its checkpoint {event["checkpoint"]} with '
                  f'{event["items_restored"]} items; {lost} items inserted after '
                  'that checkpoint were lost.')
        self._write_results(None)

    def wait(self) -> Dict[str, Any]:
        """Watches the nodes until a stop condition is met, then stops them all
        (saving checkpoints) and returns the results (also written to
        `<logdir>/results.json`)."""
        if not self._launched:
            raise RuntimeError('Call launch() first (or run()).')
        last_progress = last_results = time.monotonic()
        try:
            while True:
                self._check_nodes()
                counts = self.counts()
                reason = self._stop_request or self.stop_conditions.reached(
                    int(counts.get('actor_steps', 0)),
                    int(counts.get('learner_steps', 0)), self.run_seconds())
                if reason is not None:
                    break
                if time.monotonic() - last_progress >= self._progress_seconds:
                    last_progress = time.monotonic()
                    self._say(self._progress_line(counts))
                if time.monotonic() - last_results >= RESULTS_SECONDS:
                    # So that a driver killed now leaves the run's results so far.
                    last_results = time.monotonic()
                    self._write_results(None)
                time.sleep(self._poll_seconds)
            self._say(f'Stopping: {reason}.')
        except BaseException as error:
            # Without a replay server, actors blocked on inserts never return.
            self._shutdown(saving=True, reason=f'error: {type(error).__name__}',
                           loop_timeout=5 if isinstance(error, ReplayServerLost) else 30)
            raise
        return self._shutdown(saving=True, reason=reason, evaluate=True)

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
    def _shutdown(self, saving: bool, reason: str = '', loop_timeout: float = 30,
                  evaluate: bool = False) -> Dict[str, Any]:
        """Stops the loops (waiting up to `loop_timeout` s for the actors to
        finish their episodes), evaluates the final policy (`evaluate`, with an
        evaluator), saves, stops the replay server, gathers results and ends
        every node (and Ray, if this program started it)."""
        results: Dict[str, Any] = {}
        try:
            seconds = self.elapsed()
            self._stop_loops([n for n in self._running if n != 'learner'],
                             timeout=loop_timeout)
            if evaluate:
                self._evaluate_final()
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
            results = self._write_results(reason, seconds, final=True)
        finally:
            self._teardown()
        return results

    def _evaluate_final(self) -> None:
        """One more evaluation by the stopped evaluator, of the learner's final
        variables (logged with the others, and results' 'final_evaluation')."""
        ref = self._running.get('evaluator')
        if ref is None:
            return
        if not ray.wait([ref], timeout=0)[0]:
            self._say('No final evaluation: the evaluator is still evaluating.')
            return
        try:
            self._final_evaluation = ray.get(self.nodes['evaluator'].evaluate.remote(),
                                             timeout=600)
        except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError) as error:
            self._say(f'The final evaluation failed: {error}')

    def _stop_loops(self, names: List[str], timeout: float) -> None:
        for name in names:
            try:
                self.nodes[name].stop.remote()
            except ray.exceptions.RayError:
                pass
        refs = [self._running[name] for name in names]
        if refs:
            ray.wait(refs, num_returns=len(refs), timeout=timeout)

    def _save(self, names=('learner', 'counter', 'replay')) -> None:
        for name in names:
            if name not in self.nodes:
                continue
            try:
                ray.get(self.nodes[name].save.remote(), timeout=120)
            except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError) as error:
                self._say(f'Could not save the {name} checkpoint: {error}')

    def _write_results(self, reason: Optional[str], seconds: Optional[float] = None,
                       final: bool = False) -> Dict[str, Any]:
        """Gathers the results and writes `<logdir>/results.json`: the run's
        so far while it goes (`reason` None; best effort, short timeouts), its
        own at the end (`final`, which also closes the logs). The counts,
        seconds, restarts, replay restarts and resumes are the run's, over every
        launch on this logdir."""
        timeout = 30 if final else 2
        seconds = self.elapsed() if seconds is None else seconds
        learner_updates = None
        try:
            learner_updates = ray.get(self.nodes['learner'].num_updates.remote(),
                                      timeout=timeout)
        except (KeyError, ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
            pass
        try:
            counts = self.counts()
            evaluations = (ray.get(self.nodes['log'].rows.remote('evaluator'))
                           if 'evaluator' in self.nodes else [])
            if final:
                ray.get(self.nodes['log'].close.remote())
        except (KeyError, ray.exceptions.RayError):
            counts, evaluations = {}, []
        previous = self._previous
        total_seconds = self._seconds_before + seconds
        restarts = dict(previous.get('restarts') or {})
        for name, number in self.restarts.items():
            restarts[name] = restarts.get(name, 0) + number
        actor_steps = int(counts.get('actor_steps', 0))
        learner_steps = int(counts.get('learner_steps', 0))
        results = {
            'agent': self.program.agent, 'env': self.program.env,
            'num_actors': self.num_actors, 'num_envs': self.program.num_envs,
            'running': not final, 'stopped_because': reason,
            'seconds': round(total_seconds, 2), 'launch_seconds': round(seconds, 2),
            'counts': {key: _plain(value) for key, value in counts.items()},
            'actor_steps_per_second': actor_steps / max(total_seconds, 1e-9),
            'learner_steps_per_second': learner_steps / max(total_seconds, 1e-9),
            'learner_updates': learner_updates,
            'restarts': restarts,
            'replay': self._replay_report(timeout),
            'resumes': list(previous.get('resumes') or [])
                       + ([self.resumed] if self.resumed is not None else []),
            'actor_nodes': dict(self.actor_nodes),
            'evaluations': [{key: _plain(value) for key, value in row.items()}
                            for row in evaluations],
            'final_evaluation': self._final_evaluation,
        }
        path = os.path.join(self.program.logdir, RESULTS_FILE)
        try:
            with open(f'{path}.tmp', 'w', encoding='utf-8') as file:
                json.dump(results, file, indent=2)
                file.write('\n')
            os.replace(f'{path}.tmp', path)
        except OSError as error:
            if final:
                raise
            _log.warning('Could not write %s: %s', path, error)
        return results

    def _replay_report(self, timeout: float = 30) -> Dict[str, Any]:
        """The replay's restarts (of every launch) and the items they lost, the
        checkpoints this launch's replay node saved, and its tables."""
        previous = (self._previous.get('replay') or {}).get('restarts') or []
        events = [dict(event) for event in previous + self.replay_restarts]
        report: Dict[str, Any] = {
            'restored_from_checkpoint': self._replay_restored.get('checkpoint'),
            'restarts': events,
            'items_lost': sum(event.get('items_lost') or 0 for event in events),
            'checkpoints_saved': None, 'tables': self._replay_stats}
        if 'replay' in self.nodes:
            try:
                report['checkpoints_saved'] = ray.get(
                    self.nodes['replay'].checkpoints_saved.remote(), timeout=timeout)
            except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
                pass
        return report

    def _teardown(self) -> None:
        for handle in self.nodes.values():
            try:
                ray.kill(handle)
            except Exception:  # Already gone.
                pass
        self.nodes = {}
        self._running = {}
        self._recovering = {}
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def _say(self, line: str) -> None:
        _log.info(line)
        if self._progress is not None:
            self._progress(line)


def _items(tables: Mapping[str, Mapping[str, int]]) -> int:
    """Items held over all tables."""
    return sum(int(stats['size']) for stats in tables.values())


def _inserts(tables: Mapping[str, Mapping[str, int]]) -> int:
    """Items ever inserted over all tables."""
    return sum(int(stats['inserts']) for stats in tables.values())


def _plain(value):
    """JSON-friendly numbers (numpy scalars become Python ones)."""
    return value.item() if hasattr(value, 'item') else value
