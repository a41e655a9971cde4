"""Agent: Acme's learning schedule, exactly."""

import numpy as np
import pytest

import troupe
from troupe.agents import Agent
from troupe.agents.agent import num_learner_steps
from tests.scripted_env import ScriptedEnvironment
from tests.test_environment_loop import RecordingActor


class CountingLearner(troupe.Learner):
    def __init__(self):
        self.steps = 0

    def step(self):
        self.steps += 1

    def get_variables(self, names):
        return [[np.array(self.steps)] for _ in names]


@pytest.mark.parametrize('min_obs, per_step, expected', [
    (0, 1, [1] * 8),
    (2, 3, [0, 0, 1, 0, 0, 1, 0, 0]),   # steps at observations 2, 5.
    (3, 0.5, [0, 0, 0, 2, 2, 2, 2, 2]),
    (0, 0.25, [4] * 8),
])
def test_num_learner_steps(min_obs, per_step, expected):
    assert [num_learner_steps(n, min_obs, per_step) for n in range(8)] == expected


def test_agent_steps_learner_on_schedule_and_updates_actor():
    actor, learner = RecordingActor(), CountingLearner()
    agent = Agent(actor, learner, min_observations=4, observations_per_step=2)
    loop = troupe.EnvironmentLoop(ScriptedEnvironment([10]), agent,
                                  logger=_null_logger())
    loop.run(num_episodes=1)
    # Observations 4, 6, 8, 10 trigger one step each.
    assert learner.steps == 4
    assert actor.updates == 4
    assert agent.num_observations == 10
    assert agent.get_variables(['x']) == [[np.array(4)]]


def test_agent_defaults_learn_every_observation():
    learner = CountingLearner()
    agent = Agent(RecordingActor(), learner)
    troupe.EnvironmentLoop(ScriptedEnvironment([5]), agent,
                           logger=_null_logger()).run(num_episodes=1)
    assert learner.steps == 5


def test_agent_rejects_bad_schedule():
    with pytest.raises(ValueError, match='observations_per_step must be > 0, got 0'):
        Agent(RecordingActor(), CountingLearner(), observations_per_step=0)
    with pytest.raises(ValueError, match='min_observations must be >= 0, got -1'):
        Agent(RecordingActor(), CountingLearner(), min_observations=-1)


def _null_logger():
    from troupe.components import loggers
    return loggers.InMemoryLogger()
