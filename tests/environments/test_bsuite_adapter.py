"""bsuite environments through the registry, with bsuite's CSV logging."""

import os

import numpy as np
import pytest
from dm_env import specs

pytest.importorskip('bsuite')

from troupe import environments  # noqa: E402
from troupe.environments import InvalidActionError  # noqa: E402


def _play(env, episodes: int, action: int = 1) -> list:
    returns = []
    for _ in range(episodes):
        timestep = env.reset()
        total = 0.0
        while not timestep.last():
            timestep = env.step(action)
            total += timestep.reward
        returns.append(total)
    return returns


def test_catch_specs_and_episodes():
    env = environments.make('bsuite:catch/0', seed=0)
    assert env.observation_spec() == specs.BoundedArray((10, 5), np.float32, 0.0, 1.0,
                                                        name='observation')
    assert env.action_spec().num_values == 3
    returns = _play(env, 20)
    assert set(returns) <= {-1.0, 1.0} and len(set(returns)) == 2
    assert _play(environments.make('bsuite:catch/0', seed=0), 20) == returns
    assert env.render(cell_size=2).shape == (20, 10, 3)


def test_deep_sea_keeps_its_mapping_seed():
    env = environments.make('bsuite:deep_sea/0', seed=123)
    assert env.observation_spec().shape == (10, 10)
    assert len(_play(env, 2)) == 2


def test_csv_logging_can_be_scored_by_bsuite(tmp_path):
    env = environments.make('bsuite:catch/0', seed=0, results_dir=str(tmp_path))
    returns = _play(env, 12)
    assert os.listdir(tmp_path) == ['bsuite_id_-_catch-0.csv']
    from bsuite.experiments.catch import analysis
    from bsuite.logging import csv_load
    data, _ = csv_load.load_bsuite(str(tmp_path))
    # bsuite logs on a logarithmic schedule: episodes 1..10, then 12.
    assert data['episode'].tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]
    assert data['total_return'].iloc[-1] == sum(returns)
    assert data['total_regret'].iloc[-1] == sum(1.0 - r for r in returns)
    score = analysis.score(data)
    assert 0.0 <= score <= 1.0


def test_bad_actions_and_ids():
    env = environments.make('bsuite:catch/0', seed=0)
    env.reset()
    with pytest.raises(InvalidActionError, match=r'Action 3 .*out of bounds'):
        env.step(3)
    with pytest.raises(ValueError, match=r"Unknown bsuite id 'catch/999'.*'deep_sea'"):
        environments.make('bsuite:catch/999')
