"""A tour of troupe's parts: environment, spec, Reverb table, adder, actor, loop,
dataset, learner, variable client — composed by hand, as in Acme's tutorial.

A scripted "expert" plays Catch (move under the ball), its transitions go through an
NStepTransitionAdder into Reverb, a behaviour-cloning learner fits a Sonnet MLP to
them, and a FeedForwardActor fed by a VariableClient plays with the learned weights.

Run: python examples/compose_parts.py [--episodes 200] [--learner-steps 500]
"""

import argparse

import numpy as np
import reverb
import sonnet as snt
import tensorflow as tf

import troupe
from troupe import environments
from troupe.agents import bc
from troupe.components import actors, adders, counting, loggers, replay
from troupe.components import utils as tf2_utils
from troupe.components.variables import VariableClient


class CatchExpert(actors.RandomActor):
    """Moves the paddle (bottom row) under the ball: actions 0 left, 1 stay, 2 right."""

    def select_action(self, observation):
        ball_col = int(np.argmax(observation[:-1].max(axis=0)))
        paddle_col = int(np.argmax(observation[-1]))
        return np.int64(1 + np.sign(ball_col - paddle_col))


def main(episodes: int = 200, learner_steps: int = 500) -> float:
    environment = environments.make('catch', seed=0)
    spec = troupe.make_environment_spec(environment)

    # Replay: a table whose signature is the adder's, served by a real Reverb server.
    table = replay.uniform_table(adders.DEFAULT_PRIORITY_TABLE, max_size=100_000,
                                 signature=adders.NStepTransitionAdder.signature(spec))
    server = reverb.Server([table])
    address = f'localhost:{server.port}'
    adder = adders.NStepTransitionAdder(reverb.Client(address), n_step=1, discount=1.0)

    # Demonstrations: the expert acts, the loop logs, the adder writes.
    expert = CatchExpert(spec.actions, adder=adder)
    demo_logger = loggers.InMemoryLogger()
    troupe.EnvironmentLoop(environment, expert, logger=demo_logger).run(episodes)
    expert_return = np.mean([row['episode_return'] for row in demo_logger.data])

    # Learner: batches from Reverb through tf.data, a Sonnet MLP, on the default device.
    network = snt.Sequential([snt.Flatten(), snt.nets.MLP([64, 64, spec.actions.num_values])])
    learner = bc.BCLearner(network, replay.make_reverb_dataset(address, batch_size=64),
                           learning_rate=3e-3, counter=counting.Counter(prefix='learner'),
                           logger=loggers.TerminalLogger('learner', time_delta=2.0))
    learner.run(num_steps=learner_steps)

    # Actor: its own copy of the network, refreshed from the learner.
    actor_network = snt.Sequential([snt.Flatten(),
                                    snt.nets.MLP([64, 64, spec.actions.num_values])])
    tf2_utils.create_variables(actor_network, [spec.observations])
    client = VariableClient(learner, {'policy': actor_network.trainable_variables})
    client.update_and_wait()
    greedy = snt.Sequential([actor_network, lambda q: tf.argmax(q, axis=-1)])
    student = actors.FeedForwardActor(greedy, variable_client=client)

    eval_logger = loggers.InMemoryLogger()
    troupe.EnvironmentLoop(environments.make('catch', seed=1), student,
                           logger=eval_logger).run(num_episodes=50)
    student_return = np.mean([row['episode_return'] for row in eval_logger.data])
    print(f'expert mean return {expert_return:.2f}; '
          f'cloned student mean return {student_return:.2f} over 50 episodes')
    server.stop()
    return float(student_return)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--episodes', type=int, default=200)
    parser.add_argument('--learner-steps', type=int, default=500)
    args = parser.parse_args()
    main(args.episodes, args.learner_steps)
