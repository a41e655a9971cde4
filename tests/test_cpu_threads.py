"""`devices.set_cpu_threads` and `troupe train --intra-op-threads`.

TensorFlow fixes its thread pools when it starts, so the checks that set them run
in fresh Python processes; this test process keeps its own setting."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from troupe import cli
from troupe.components import devices

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _python(code: str, *args: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code), *args],
                          capture_output=True, text=True, cwd=REPO, env=environment,
                          timeout=300, check=False)


@pytest.mark.parametrize('value', [0, -2, 1.5, True, '1'])
def test_bad_thread_counts_are_refused_by_value(value):
    with pytest.raises(ValueError, match=f'intra_op threads must be a positive '
                                         f'integer or None, got {value!r}'):
        devices.set_cpu_threads(intra_op=value)
    with pytest.raises(ValueError, match='inter_op threads'):
        devices.set_cpu_threads(inter_op=value)


def test_threads_are_set_before_start_and_refused_after():
    done = _python("""
        import tensorflow as tf
        from troupe.components import devices
        devices.set_cpu_threads(intra_op=1, inter_op=3)
        print(tf.config.threading.get_intra_op_parallelism_threads(),
              tf.config.threading.get_inter_op_parallelism_threads())
        print(float(tf.reduce_sum(tf.ones([64, 64]) @ tf.ones([64, 64]))))
        devices.set_cpu_threads(intra_op=1)  # The same value: nothing to change.
        devices.set_cpu_threads()            # None: leaves both as they are.
        try:
            devices.set_cpu_threads(intra_op=2)
        except RuntimeError as error:
            print('refused:', error)
        """)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == '1 3'
    assert float(lines[1]) == 64.0 ** 3
    assert lines[2].startswith('refused: Cannot set intra_op threads to 2: TensorFlow '
                               'has already started in this process with 1.')


def test_train_sets_and_records_intra_op_threads(tmp_path):
    logdir = str(tmp_path / 'run')
    done = _python("""
        import sys
        import tensorflow as tf
        from troupe import cli
        code = cli.main(['train', 'dqn', '--env', 'cartpole', '--steps', '300',
                         '--eval-episodes', '1', '--no-plot', '--intra-op-threads', '1',
                         '--config', 'min_replay_size=100', 'batch_size=32',
                         '--logdir', sys.argv[1]])
        print('threads', tf.config.threading.get_intra_op_parallelism_threads())
        sys.exit(code)
        """, logdir)
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'threads 1' in done.stdout
    with open(os.path.join(logdir, 'config.json')) as file:
        config = json.load(file)
    assert config['intra_op_threads'] == 1
    assert config['budget']['steps'] == 300


@pytest.mark.parametrize('argv, message', [
    (['--intra-op-threads', '0'], '--intra-op-threads must be >= 1, got 0'),
    (['--intra-op-threads', '1', '--distributed'],
     '--intra-op-threads applies to training in this process'),
])
def test_train_refuses_bad_intra_op_threads(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(['train', 'dqn', '--env', 'cartpole', *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
