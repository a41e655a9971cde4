"""Faults on purpose: kills nodes of a running `DistributedProgram` with SIGKILL
(by process id, on this machine) at seeded random moments, one at a time, and
measures how long each takes to work again.

    program = DistributedProgram(config, num_actors=2, stop=StopConditions(...))
    kills = chaos.schedule(['replay', 'learner', 'actor_1'], 20_000, seed=0)
    results = chaos.run(program, kills)   # kills[i].recovered_seconds, ...

Used by `benchmarks/distributed_chaos.py` and `tests/distributed/test_chaos.py`.
Works with a local Ray (the nodes' processes must be on this machine).
"""

import dataclasses
import os
import random
import signal
import threading
import time
from typing import Any, Dict, List, Optional, Sequence

import ray


@dataclasses.dataclass
class Kill:
    """One kill: which node and when; the rest is filled in by `run`.

    Attributes:
      node: 'replay', 'learner', 'actor_<i>' or 'evaluator'.
      at_actor_steps: killed once the counter's actor_steps reach this.
      pid: the process killed.
      at_seconds: seconds since the program's launch when it was killed.
      actor_steps: the counter's actor_steps then.
      recovered_seconds: from the kill until the node worked again: for the
        replay and the learner, until the learner's steps grew again after the
        program's restart; for an actor or the evaluator, until its restarted
        process answered.
    """
    node: str
    at_actor_steps: int
    pid: Optional[int] = None
    at_seconds: Optional[float] = None
    actor_steps: Optional[int] = None
    recovered_seconds: Optional[float] = None


def schedule(nodes: Sequence[str], max_actor_steps: int, seed: int,
             low: float = 0.2, high: float = 0.7) -> List[Kill]:
    """One kill per node in a seeded random order, at seeded random moments
    between `low` and `high` of `max_actor_steps`, in increasing order."""
    if not 0 <= low < high <= 1:
        raise ValueError(f'need 0 <= low < high <= 1, got low={low}, high={high}.')
    rng = random.Random(seed)
    order = list(nodes)
    rng.shuffle(order)
    moments = sorted(int(rng.uniform(low, high) * max_actor_steps) for _ in order)
    return [Kill(node, at) for node, at in zip(order, moments)]


def run(program, kills: Sequence[Kill], timeout: float = 1800.0,
        poll_seconds: float = 0.25) -> Dict[str, Any]:
    """Launches `program`, makes `kills` in turn while it runs (each once the
    previous one has recovered) and returns its results (with 'kills' added).

    Raises:
      TimeoutError: the program did not finish within `timeout` seconds, or a
        killed node did not recover within it.
      Whatever `program.wait()` raised.
    """
    outcome: Dict[str, Any] = {}

    def watch():
        try:
            outcome['results'] = program.wait()
        except BaseException as error:  # pylint: disable=broad-except
            outcome['error'] = error

    deadline = time.monotonic() + timeout
    with program:
        program.launch()
        driver = threading.Thread(target=watch, name='chaos-driver', daemon=True)
        driver.start()
        for kill in kills:
            if not _wait(lambda: _actor_steps(program) >= kill.at_actor_steps
                         or not driver.is_alive(), deadline, poll_seconds):
                raise TimeoutError(f'the run did not reach {kill.at_actor_steps} actor '
                                   f'steps within {timeout} s')
            if not driver.is_alive():
                break  # Finished (or failed) before this kill.
            killed = _kill(program, kill, deadline, poll_seconds)
            _recover(program, kill, killed, driver, deadline, poll_seconds)
        driver.join(max(deadline - time.monotonic(), 0))
        if driver.is_alive():
            raise TimeoutError(f'the run did not finish within {timeout} s')
    if 'error' in outcome:
        raise outcome['error']
    results = outcome['results']
    results['kills'] = [dataclasses.asdict(kill) for kill in kills]
    return results


def _kill(program, kill: Kill, deadline: float, poll_seconds: float) -> float:
    """Kills the node's process; returns when (`time.monotonic()`)."""
    while True:  # The node may be being replaced (after a replay restart).
        node = program.nodes.get(kill.node)
        try:
            if node is not None:
                kill.pid = ray.get(node.pid.remote(), timeout=30)
                break
        except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f'node {kill.node} did not answer')
        time.sleep(poll_seconds)
    kill.actor_steps = _actor_steps(program)
    kill.at_seconds = round(program.elapsed(), 2)
    os.kill(kill.pid, signal.SIGKILL)
    return time.monotonic()


def _recover(program, kill: Kill, killed: float, driver: threading.Thread,
             deadline: float, poll_seconds: float) -> None:
    """Waits until the killed node works again (see `Kill.recovered_seconds`;
    None if the run stopped first)."""
    if kill.node in ('replay', 'learner'):
        done = {'restarted': False, 'steps': None}
        restarts = (len(program.replay_restarts) if kill.node == 'replay'
                    else program.restarts.get('learner', 0))

        def recovered() -> bool:
            now = (len(program.replay_restarts) if kill.node == 'replay'
                   else program.restarts.get('learner', 0))
            if not done['restarted']:
                if now > restarts:
                    done['restarted'] = True
                    done['steps'] = _counts(program).get('learner_steps', 0)
                return False
            return _counts(program).get('learner_steps', 0) > done['steps']
    else:
        def recovered() -> bool:
            node = program.nodes.get(kill.node)
            try:
                return node is not None and ray.get(node.pid.remote(),
                                                    timeout=5) != kill.pid
            except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
                return False  # Unavailable while Ray restarts it.
    if not _wait(lambda: recovered() or not driver.is_alive(), deadline, poll_seconds):
        raise TimeoutError(f'node {kill.node} did not recover')
    if driver.is_alive():
        kill.recovered_seconds = round(time.monotonic() - killed, 2)


def _counts(program) -> Dict[str, Any]:
    try:
        return program.counts()
    except (KeyError, ray.exceptions.RayError):
        return {}


def _actor_steps(program) -> int:
    return int(_counts(program).get('actor_steps', 0))


def _wait(condition, deadline: float, poll_seconds: float) -> bool:
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll_seconds)
    return False
