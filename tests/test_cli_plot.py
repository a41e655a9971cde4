"""`troupe plot` and the plotting helpers: curves, bands, text curves, PNG sizes."""

import io

import numpy as np
import pytest
from PIL import Image

from troupe import cli
from troupe.cli import plot as plot_command
from troupe.cli import progress as progress_lib
from troupe.components import plotting


def test_moving_average_is_the_trailing_mean():
    np.testing.assert_allclose(plotting.moving_average([1, 2, 3, 4, 5], 2),
                               [1.0, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(plotting.moving_average([4, 0, 2], 10), [4.0, 2.0, 2.0])
    with pytest.raises(ValueError, match='window must be >= 1'):
        plotting.moving_average([1], 0)


def test_group_band_is_the_mean_and_std_of_the_runs_where_all_have_data():
    first = plotting.Run(np.array([0.0, 10.0]), np.array([0.0, 10.0]))
    second = plotting.Run(np.array([0.0, 20.0]), np.array([2.0, 22.0]))
    grid, mean, std = plotting._group_band([first, second], window=1, points=3)
    np.testing.assert_allclose(grid, [0.0, 5.0, 10.0])     # Up to the shorter run.
    # Run 2 interpolated at 5 and 10 is 7 and 12.
    np.testing.assert_allclose(mean, [1.0, 6.0, 11.0])
    np.testing.assert_allclose(std, [1.0, 1.0, 1.0])


def test_text_learning_curve_bins_episodes_by_steps():
    lines = plotting.text_learning_curve([10, 20, 30, 40], [0.0, 2.0, 4.0, 6.0],
                                         rows=2, width=4)
    assert lines == ['  env steps  episodes  mean return',
                     '         20         2         1.00  ····',
                     '         40         2         5.00  ████']
    assert plotting.text_learning_curve([], []) == ['(no finished episodes)']


def test_read_run_reports_a_missing_column(tmp_path):
    path = tmp_path / 'logs.csv'
    path.write_text('steps,other\n1,2\n')
    with pytest.raises(ValueError, match="has no column 'episode_return'"):
        plotting.read_run(str(path))


def test_plot_groups_runs_by_agent_and_environment(tmp_path, capsys):
    runs = tmp_path / 'runs'
    for seed in (0, 1):
        assert cli.main(['train', 'random', '--env', 'catch', '--episodes', '30',
                         '--seed', str(seed), '--eval-episodes', '0', '--no-plot',
                         '--logdir', str(runs / 'random-catch' / f'seed{seed}')]) == 0
    assert cli.main(['train', 'random', '--env', 'deep_sea', '--episodes', '10',
                     '--eval-episodes', '0', '--no-plot',
                     '--logdir', str(runs / 'random-deep_sea')]) == 0
    capsys.readouterr()

    groups = plot_command.load_groups([str(runs)])
    assert list(groups) == ['random on catch', 'random on deep_sea']
    assert [len(g) for g in groups.values()] == [2, 1]
    assert [run.steps.size for run in groups['random on catch']] == [30, 30]

    output = str(tmp_path / 'figures' / 'curves.png')
    assert cli.main(['plot', str(runs / 'random-catch'), str(runs / 'random-deep_sea'),
                     '-o', output, '--window', '5']) == 0
    out = capsys.readouterr().out
    assert 'random on catch: 2 runs, last 5 episodes' in out
    assert 'random on deep_sea: 1 run, last 5 episodes' in out
    with Image.open(output) as image:
        assert image.format == 'PNG' and image.size == (800, 500)
        pixels = np.asarray(image.convert('RGB'))
    # Both group colours (matplotlib's C0 blue and C1 orange) are drawn.
    for colour in ((31, 119, 180), (255, 127, 14)):
        assert np.any(np.all(pixels == colour, axis=-1)), colour


def test_plot_size_is_configurable(tmp_path):
    run = plotting.Run(np.arange(1.0, 6.0), np.arange(5.0))
    path = plotting.plot_learning_curves({'x': [run]}, str(tmp_path / 'a.png'),
                                         size=(640, 480), dpi=80)
    with Image.open(path) as image:
        assert image.size == (640, 480)
    with pytest.raises(ValueError, match='No episodes to plot'):
        plotting.plot_learning_curves(
            {'x': [plotting.Run(np.array([]), np.array([]))]}, str(tmp_path / 'b.png'))


def test_progress_prints_a_line_per_tenth_when_not_a_terminal():
    stream = io.StringIO()
    progress = progress_lib.Progress(total_episodes=20, stream=stream,
                                     learner_updates=lambda: 7)
    for episode in range(20):
        progress.observe(None, None, None)
        progress.write({'episode_return': float(episode)})
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10                          # 10%, ..., 90%, then the end.
    assert lines[0].startswith(' 10% | steps 2 | episodes 2/20 | return 0.50 (last 2)')
    assert ' | updates 7 | ' in lines[0]
    assert lines[-1].startswith('100% | steps 20 | episodes 20/20 | return 9.50 (last 20)')


def test_progress_redraws_in_place_on_a_terminal():
    stream = io.StringIO()
    progress = progress_lib.Progress(total_steps=100, stream=stream, interactive=True)
    progress.write({'episode_return': 1.0})
    progress.finish()
    text = stream.getvalue()
    assert text.startswith('\r  0% | steps 0/100 | episodes 1 | return 1.00 (last 1)')
    assert text.endswith('\n') and text.count('\n') == 1


def test_format_duration():
    assert progress_lib.format_duration(59.6) == '1:00'
    assert progress_lib.format_duration(3725) == '1:02:05'

