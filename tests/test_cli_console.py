"""The installed `troupe` console script, run as a user runs it (a subprocess)."""

import json
import os
import shutil
import subprocess
import sys

from PIL import Image


def _troupe() -> str:
    beside_python = os.path.join(os.path.dirname(sys.executable), 'troupe')
    return beside_python if os.path.exists(beside_python) else shutil.which('troupe')


def _run(*argv, cwd):
    return subprocess.run([_troupe(), *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_console_script_trains_and_writes_a_run(tmp_path):
    result = _run('train', 'random', '--env', 'catch', '--episodes', '20',
                  '--eval-episodes', '2', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Trained random on 'catch': 180 env steps, 20 episodes" in result.stdout
    # Without --logdir the run goes to runs/<agent>-<env>/seed<S>-<time>.
    (run_dir,) = (tmp_path / 'runs' / 'random-catch').iterdir()
    assert run_dir.name.startswith('seed0-')
    config = json.loads((run_dir / 'config.json').read_text())
    assert config['command'].startswith('troupe train random --env catch')
    with Image.open(run_dir / 'learning_curve.png') as image:
        assert image.size == (800, 500)


def test_console_script_errors_are_one_line_without_traceback(tmp_path):
    result = _run('evaluate', 'no-such-run', cwd=tmp_path)
    assert result.returncode == 2
    assert 'Traceback' not in result.stderr
    lines = result.stderr.strip().splitlines()
    # TensorFlow may print start-up lines of its own first; ours is the last.
    assert lines[-1] == "troupe: error: No run directory 'no-such-run'."
    assert sum(line.startswith('troupe: error:') for line in lines) == 1
