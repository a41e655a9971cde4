"""A Ray cluster of two nodes on this machine (both on loopback), started with
`ray start` as a user would: a run joined with --ray-address places its actors
on the second node by a custom resource, and trains."""

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

RAY = os.path.join(os.path.dirname(sys.executable), 'ray')
TROUPE = os.path.join(os.path.dirname(sys.executable), 'troupe')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _ray(env, *args):
    return subprocess.run([RAY, *args], env=env, capture_output=True, text=True,
                          timeout=180)


@pytest.fixture
def two_node_cluster(tmp_path_factory):
    """A head node (1 CPU) and a second node (2 CPUs, resource 'simulators')."""
    if not os.path.exists(RAY):
        pytest.skip('the ray command is not installed')
    home = tmp_path_factory.mktemp('home')
    # Ray refuses worker nodes unless multi-node clusters are enabled; both nodes
    # are bound to loopback by --node-ip-address.
    # Other RAY_* settings of this process (e.g. an earlier in-process cluster's
    # authentication) are left out: these nodes start a cluster of their own.
    env = {key: value for key, value in os.environ.items() if not key.startswith('RAY_')}
    env.update(HOME=str(home), RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER='1')
    # A short session folder: Ray's socket paths must stay under 108 bytes.
    temp_dir = os.path.join('/tmp', f'troupe-2n-{os.getpid()}')
    port = _free_port()
    head = _ray(env, 'start', '--head', f'--port={port}', '--node-ip-address=127.0.0.1',
                '--num-cpus=1', '--include-dashboard=false', f'--temp-dir={temp_dir}',
                '--disable-usage-stats')
    assert head.returncode == 0, head.stderr[-2000:]
    address = f'127.0.0.1:{port}'
    try:
        second = _ray(env, 'start', f'--address={address}',
                      '--node-ip-address=127.0.0.1', '--num-cpus=2',
                      '--resources={"simulators": 4}', '--disable-usage-stats')
        assert second.returncode == 0, second.stderr[-2000:]
        yield address, env
    finally:
        _ray(env, 'stop', '--force')
        shutil.rmtree(temp_dir, ignore_errors=True)


def test_a_joined_run_trains_with_its_actors_on_the_second_node(two_node_cluster,
                                                                tmp_path):
    address, env = two_node_cluster
    logdir = str(tmp_path / 'run')
    command = [TROUPE, 'train', 'dqn', '--env', 'cartpole',
               '--distributed', '--num-actors', '2', '--ray-address', address,
               '--actor-resource', 'simulators', '--steps', '3000',
               '--eval-episodes', '0', '--no-plot', '--logdir', logdir]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Trained dqn on 'cartpole' with 2 actors" in run.stdout
    with open(os.path.join(logdir, 'results.json')) as file:
        results = json.load(file)
    assert results['counts']['actor_steps'] >= 3000
    assert results['counts']['learner_steps'] > 0

    # The node with the resource is the second one, and both actors ran there.
    script = ('import json, ray; ray.init(address=%r, log_to_driver=False); '
              'print(json.dumps([n["NodeID"] for n in ray.nodes() if n["Alive"] '
              'and n["Resources"].get("simulators")]))' % address)
    nodes = subprocess.run([sys.executable, '-c', script], env=env,
                           capture_output=True, text=True, timeout=180)
    assert nodes.returncode == 0, nodes.stderr[-2000:]
    simulator_nodes = json.loads(nodes.stdout.strip().splitlines()[-1])
    assert len(simulator_nodes) == 1
    assert set(results['actor_nodes']) == {'actor_0', 'actor_1'}
    assert set(results['actor_nodes'].values()) == set(simulator_nodes)


def test_an_unknown_actor_resource_is_refused(two_node_cluster, tmp_path):
    address, env = two_node_cluster
    command = [TROUPE, 'train', 'dqn', '--env', 'cartpole',
               '--distributed', '--num-actors', '1', '--ray-address', address,
               '--actor-resource', 'no_such_resource', '--steps', '100',
               '--logdir', str(tmp_path / 'run')]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 2, run.stderr[-3000:]
    assert ("No node of the cluster has the resource 'no_such_resource' the actors "
            'ask for') in run.stderr
