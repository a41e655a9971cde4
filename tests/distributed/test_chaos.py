"""Chaos on a real local Ray cluster: one DQN CartPole run with 2 actors whose
replay node, learner node and an actor node are each killed once with SIGKILL
at seeded random moments; the run finishes its budget and reports the restarts
and the replay items lost. (`benchmarks/distributed_chaos.py` is the long
version, trained to the greedy return the issue asks for.)"""

from troupe.agents import registry
from troupe.distributed import DistributedProgram, ProgramConfig, StopConditions, chaos

STEPS = 12_000
OVERRIDES = dict(min_replay_size=200, hidden_sizes=[64, 64])


def test_schedule_is_seeded_and_within_the_budget():
    kills = chaos.schedule(['replay', 'learner', 'actor_1'], 10_000, seed=3)
    assert kills == chaos.schedule(['replay', 'learner', 'actor_1'], 10_000, seed=3)
    assert sorted(kill.node for kill in kills) == ['actor_1', 'learner', 'replay']
    moments = [kill.at_actor_steps for kill in kills]
    assert moments == sorted(moments)
    assert all(2_000 <= moment <= 7_000 for moment in moments)
    assert [kill.node for kill in chaos.schedule(['a', 'b', 'c', 'd'], 100, seed=0)] \
        != [kill.node for kill in chaos.schedule(['a', 'b', 'c', 'd'], 100, seed=1)]


def test_a_run_survives_its_replay_learner_and_an_actor_killed(ray_cluster, tmp_path):
    hyperparameters = registry.get('dqn').resolve('cartpole', OVERRIDES)
    config = ProgramConfig('dqn', 'cartpole', hyperparameters, logdir=str(tmp_path),
                           checkpoint_minutes=0.05, evaluation_episodes=1,
                           evaluation_period_seconds=5.0)
    program = DistributedProgram(
        config, num_actors=2, progress=None, poll_seconds=0.25,
        stop=StopConditions(max_actor_steps=STEPS, max_seconds=500))
    kills = chaos.schedule(['replay', 'learner', 'actor_1'], STEPS, seed=0)
    results = chaos.run(program, kills, timeout=600)

    assert results['stopped_because'].endswith(f'actor steps (max {STEPS})')
    assert results['counts']['actor_steps'] >= STEPS
    for kill in kills:  # Each was killed at its moment and recovered mid-run.
        assert kill.pid is not None and kill.actor_steps >= kill.at_actor_steps
        assert kill.recovered_seconds is not None and kill.recovered_seconds > 0
    assert results['restarts'] == {'learner': 1, 'actor_0': 0, 'actor_1': 1,
                                   'evaluator': 0, 'replay': 1}
    [event] = results['replay']['restarts']
    assert event['items_restored'] > 0 and event['checkpoint'] is not None
    assert event['items_lost'] is not None and event['items_lost'] >= 0
    assert results['replay']['items_lost'] == event['items_lost']
    assert [kill['node'] for kill in results['kills']] == [kill.node for kill in kills]
    assert results['learner_updates'] > 0
    assert results['final_evaluation'] is not None
    print({kill.node: (kill.actor_steps, kill.recovered_seconds) for kill in kills},
          event)
