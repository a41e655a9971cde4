"""The `troupe demo` main job: it learns, and bad input gives one-line errors."""

import re

import pytest

from troupe import cli


def test_demo_trains_dqn_on_catch_and_shows_the_curve(capsys):
    assert cli.main(['demo', '--episodes', '500', '--window', '100']) == 0
    out = capsys.readouterr().out
    baseline = float(re.search(r'random agent: mean return ([+-]\d+\.\d+)', out)[1])
    means = [float(m) for m in re.findall(r'mean return\s+([+-]\d+\.\d+) \|', out)]
    assert len(means) == 5
    assert baseline < 0.0          # A random policy loses Catch more often than not.
    assert means[-1] >= 0.6        # A broken learner stays near the baseline.


def test_demo_random_agent_only(capsys):
    assert cli.main(['demo', '--agent', 'random', '--window', '10',
                     '--episodes', '10']) == 0
    assert 'random agent: mean return' in capsys.readouterr().out


def test_unknown_environment_is_a_one_line_error(capsys):
    assert cli.main(['demo', '--env', 'nope']) == 2
    err = capsys.readouterr().err
    assert err.startswith("troupe: error: Unknown environment 'nope'. Known names:")
    assert 'Traceback' not in err


def test_continuous_environment_is_refused_for_dqn(capsys):
    assert cli.main(['demo', '--env', 'pendulum', '--window', '5',
                     '--episodes', '5']) == 2
    assert 'dqn cannot act in this environment: it needs discrete actions' in \
        capsys.readouterr().err


def test_bad_counts_are_rejected():
    with pytest.raises(SystemExit):
        cli.main(['demo', '--episodes', '0'])
    with pytest.raises(SystemExit):
        cli.main(['demo', '--episodes', '10', '--window', '20'])
