"""The tutorial notebooks: generated from their scripts, stored without outputs, and
executed in fast mode (TROUPE_FAST=1) by a real Jupyter kernel running this
interpreter. Each executed notebook must finish without an error and show what
it teaches (figures, videos that decode to the expected length, printed results).
"""

import importlib.util
import os
import re
import sys

import numpy as np
import pytest

nbformat = pytest.importorskip('nbformat')
nbclient = pytest.importorskip('nbclient')

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'examples')
TUTORIALS = ('tutorial', 'quickstart', 'eeml_rl_tutorial')


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        'build_notebooks', os.path.join(EXAMPLES, 'build_notebooks.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _execute(notebook, output_dir, timeout=600):
    """Runs `notebook` in place with the venv's python3 kernel, in fast mode."""
    env = dict(os.environ, TROUPE_FAST='1', TROUPE_OUTPUT_DIR=str(output_dir),
               TF_CPP_MIN_LOG_LEVEL='2')
    # The kernel draws figures inline; a backend chosen for this test process
    # (tests/environments/conftest.py sets MPLBACKEND=Agg) must not reach it.
    env.pop('MPLBACKEND', None)
    client = nbclient.NotebookClient(notebook, kernel_name='python3', timeout=timeout,
                                     resources={'metadata': {'path': EXAMPLES}})
    client.execute(env=env)
    return notebook


def _run_tutorial(name, output_dir):
    notebook = nbformat.read(os.path.join(EXAMPLES, f'{name}.ipynb'), as_version=4)
    return _execute(notebook, output_dir)


def _outputs(notebook):
    return [output for cell in notebook.cells if cell.cell_type == 'code'
            for output in cell.outputs]


def _stdout(notebook) -> str:
    return ''.join(output.text for output in _outputs(notebook)
                   if output.output_type == 'stream' and output.name == 'stdout')


def _count(notebook, mime: str) -> int:
    return sum(1 for output in _outputs(notebook)
               if output.output_type in ('display_data', 'execute_result')
               and mime in output.data)


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f'{pattern!r} not found in the notebook output:\n{text}'
    return float(match.group(1))


def _gif_frames(path, size, steps, fps=50):
    """Checks a GIF of one recorded episode of `steps` steps: the first frame plus
    one per step. A GIF stores a run of identical frames once with their display
    times added, so the count is checked through the total display time."""
    from PIL import Image
    with Image.open(path) as gif:
        assert gif.size == size
        stored = gif.n_frames
        total_ms = 0
        for index in range(stored):
            gif.seek(index)
            total_ms += gif.info['duration']
    assert 1 < stored <= steps + 1
    assert total_ms == (steps + 1) * round(1000 / fps)
    return stored


# The tools.

def test_builder_splits_percent_format_cells():
    builder = _load_builder()
    source = ('"""ignored preamble"""\n'
              '# %% [markdown]\n# # Title\n#\n# Text with `code`.\n\n'
              '# %%\nimport os\n\n\nprint(os.sep)\n\n'
              '# %% a titled code cell\nx = 1\n# %%\n\n')
    assert builder.split_cells(source) == [
        ('markdown', '# Title\n\nText with `code`.'),
        ('code', 'import os\n\n\nprint(os.sep)'),
        ('code', 'x = 1'),
    ]
    with pytest.raises(ValueError, match=r'line 3: markdown lines must start with "# "'):
        builder.split_cells('# %% [markdown]\n# ok\nnot a comment\n')
    with pytest.raises(ValueError, match=r'line 1: unknown cell marker'):
        builder.split_cells('# %% [raw]\n')


def test_notebooks_match_their_scripts():
    builder = _load_builder()
    assert builder.out_of_date() == [], (
        'A notebook differs from its script: run python examples/build_notebooks.py')
    for name in TUTORIALS:
        notebook = nbformat.read(os.path.join(EXAMPLES, f'{name}.ipynb'), as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == 'code']
        assert code and all(cell.outputs == [] and cell.execution_count is None
                            for cell in code), f'{name}.ipynb is stored with outputs'
        assert notebook.metadata.kernelspec.name == 'python3'


def test_gif_keeps_every_frame_in_its_display_time(tmp_path):
    """The tutorials' videos are GIFs written by write_video (Pillow): identical
    consecutive frames are stored once, their display times summed."""
    pytest.importorskip('PIL')
    from troupe.environments.wrappers.video import write_video
    black = np.zeros((8, 6, 3), np.uint8)
    white = np.full((8, 6, 3), 255, np.uint8)
    path = write_video(str(tmp_path / 'v.gif'), [black, black, white, black], fps=50)
    assert _gif_frames(path, (6, 8), steps=3) == 3


def test_the_kernel_runs_this_interpreter(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(
        'import os, sys\nprint(sys.executable)\nprint(os.environ["TROUPE_FAST"])'))
    _execute(notebook, tmp_path, timeout=120)
    executable, fast = _stdout(notebook).split()
    assert os.path.realpath(executable) == os.path.realpath(sys.executable)
    assert fast == '1'


# The tutorials, executed in fast mode.

def test_tutorial_notebook(tmp_path):
    pytest.importorskip('dm_control')
    pytest.importorskip('gymnasium')
    notebook = _run_tutorial('tutorial', tmp_path)
    text = _stdout(notebook)
    # The adder wrote two episodes by hand and one through observe (100 steps each).
    assert '200 steps; transitions in the table:' in text
    assert '300 steps; transitions in the table:' in text
    assert 'episode 1: return' in text
    assert _number(r'episode 1: .* learner steps (\d+)', text) > 0
    assert _number(r'learner updates so far: (\d+)', text) > 100
    mean_return = _number(r'mean return (-?[\d.]+)', text)
    assert 0.0 <= mean_return <= 100.0   # 100 steps paying at most 1 each.
    assert _count(notebook, 'image/png') >= 2    # the environments, the learning curve
    assert _count(notebook, 'image/gif') == 2    # the trained cartpole, the mountain car
    length = int(_number(r'episode_length (\d+)', text))
    assert length == 100
    video = re.search(r'video: (\S+\.gif);', text).group(1)
    assert os.path.dirname(video) == str(tmp_path)
    _gif_frames(video, (192, 144), steps=length)
    frames = int(_number(r'wrote (\d+) frames to', text))
    _gif_frames(str(tmp_path / 'mountain_car_untrained.gif'), (300, 200),
                steps=frames - 1, fps=25)
    assert os.path.exists(tmp_path / 'tutorial_learning_curve.png')


def test_quickstart_notebook(tmp_path):
    pytest.importorskip('dm_control')
    pytest.importorskip('gymnasium')
    notebook = _run_tutorial('quickstart', tmp_path)
    text = _stdout(notebook)
    assert '[Env Loop]' in text and '[Agent]' in text   # The terminal loggers.
    updates = [int(n) for n in re.findall(r'(\d+) learner updates', text)]
    assert len(updates) == 2 and all(n > 0 for n in updates)
    cartpole = _number(r'dm_cartpole: greedy return over 1 episode\(s\): mean (-?[\d.]+)',
                       text)
    assert 0.0 <= cartpole <= 100.0
    assert 'gym_mountaincar: greedy return' in text
    assert _count(notebook, 'image/gif') == 2 and _count(notebook, 'image/png') >= 1
    _gif_frames(str(tmp_path / 'quickstart_cartpole_000000.gif'), (192, 144), steps=100)
    _gif_frames(str(tmp_path / 'quickstart_mountain_car_000000.gif'), (300, 200),
                steps=100)


def test_eeml_rl_tutorial_notebook(tmp_path):
    notebook = _run_tutorial('eeml_rl_tutorial', tmp_path)
    text = _stdout(notebook)
    # The model's exact solution and the tabular learners (full budgets even here).
    assert 'V*(start) = 4.782969; 10 * 0.9**7 = 4.782969' in text
    assert 'optimal path length: 8' in text
    for learner in ('Sarsa: 100000 steps', 'QLearning: 100000 steps',
                    'QLearningWithReplay: 10000 steps'):
        assert re.search(re.escape(learner) + r'.*greedy path from the start: 8 steps',
                         text), learner
    assert _number(r'max \|V - V_exact\| = ([\d.]+)', text) < 5.0
    assert _number(r'random agent: mean return over 20 episodes (-?[\d.]+)', text) < 0
    assert 'NFQ: 40 episodes' in text and 'DQN on the grid: 40 episodes' in text
    returns = [float(x) for x in re.findall(r'greedy return (-?[\d.]+) \(2 episodes\)',
                                            text)]
    assert len(returns) == 2 and all(1 <= r <= 500 for r in returns)
    # Heatmaps, greedy policies and learning curves; the random, greedy and
    # CartPole episodes as GIFs.
    assert _count(notebook, 'image/png') >= 15
    assert _count(notebook, 'image/gif') == 3
    cartpole_length = int(_number(r'greedy CartPole episode: return (\d+)', text))
    _gif_frames(str(tmp_path / 'dqn_cartpole_000000.gif'), (300, 200),
                steps=cartpole_length)
