"""The README's tour script runs and the cloned policy really plays Catch."""

import importlib.util
import os

EXAMPLE = os.path.join(os.path.dirname(__file__), '..', 'examples', 'compose_parts.py')


def test_compose_parts_tour_clones_the_expert():
    spec = importlib.util.spec_from_file_location('compose_parts', EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # A random Catch policy averages about -0.6; the expert gets 1.0.
    assert module.main(episodes=100, learner_steps=300) >= 0.8
