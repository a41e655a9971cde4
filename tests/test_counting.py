"""Tests of troupe.components.counting.Counter: exact totals, threads, state."""

import threading

import pytest

import troupe
from troupe.components import counting

NEVER = 1e9  # A time_delta no test run can reach: a child syncs only when forced.


def test_root_counter_increments_and_returns_totals():
    counter = counting.Counter()
    assert counter.get_counts() == {}
    assert counter.increment(steps=1) == {'steps': 1}
    assert counter.increment(steps=2, episodes=1) == {'steps': 3, 'episodes': 1}
    assert counter.increment(time=0.5) == {'steps': 3, 'episodes': 1, 'time': 0.5}
    assert counter.get_counts() == {'steps': 3, 'episodes': 1, 'time': 0.5}


def test_prefixed_children_add_to_parent():
    parent = counting.Counter()
    actor = counting.Counter(parent, prefix='actor', time_delta=0.0)
    learner = counting.Counter(parent, prefix='learner', time_delta=0.0)
    assert actor.increment(steps=5, episodes=1) == {
        'actor_steps': 5, 'actor_episodes': 1}
    assert learner.increment(steps=2) == {
        'actor_steps': 5, 'actor_episodes': 1, 'learner_steps': 2}
    assert actor.increment(steps=1) == {
        'actor_steps': 6, 'actor_episodes': 1, 'learner_steps': 2}
    assert parent.get_counts() == {
        'actor_steps': 6, 'actor_episodes': 1, 'learner_steps': 2}
    parent.increment(global_steps=10)
    assert learner.get_counts() == {
        'actor_steps': 6, 'actor_episodes': 1, 'learner_steps': 2,
        'global_steps': 10}


def test_unprefixed_child_and_grandchild():
    root = counting.Counter()
    middle = counting.Counter(root, time_delta=0.0)
    leaf = counting.Counter(middle, prefix='evaluator', time_delta=0.0)
    leaf.increment(episodes=2)
    middle.increment(steps=3)
    assert root.get_counts() == {'evaluator_episodes': 2, 'steps': 3}
    assert leaf.get_counts() == {'evaluator_episodes': 2, 'steps': 3}


def test_return_only_prefixed_and_steps_key():
    parent = counting.Counter()
    only = counting.Counter(parent, prefix='actor', time_delta=0.0,
                            return_only_prefixed=True)
    other = counting.Counter(parent, prefix='learner', time_delta=0.0)
    other.increment(steps=7)
    assert only.increment(steps=4) == {'steps': 4}
    assert parent.get_counts() == {'learner_steps': 7, 'actor_steps': 4}
    assert only.get_steps_key() == 'steps'
    assert other.get_steps_key() == 'learner_steps'
    assert counting.Counter().get_steps_key() == 'steps'


def test_time_delta_caches_parent_reads():
    parent = counting.Counter()
    child = counting.Counter(parent, prefix='actor', time_delta=NEVER)
    # The first call always syncs.
    assert child.increment(steps=1) == {'actor_steps': 1}
    assert parent.get_counts() == {'actor_steps': 1}
    # Later increments stay local until the next sync, but the child's own
    # view is exact.
    assert child.increment(steps=2) == {'actor_steps': 3}
    assert parent.get_counts() == {'actor_steps': 1}
    # Other parts' counts are seen only at the next sync.
    parent.increment(learner_steps=5)
    assert child.get_counts() == {'actor_steps': 3}
    child.flush()
    assert parent.get_counts() == {'actor_steps': 3, 'learner_steps': 5}
    assert child.get_counts() == {'actor_steps': 3, 'learner_steps': 5}


def test_concurrent_increments_give_exact_totals():
    parent = counting.Counter()
    children = [counting.Counter(parent, prefix='actor', time_delta=0.0),
                counting.Counter(parent, prefix='actor', time_delta=NEVER)]
    num_threads, num_increments = 6, 400
    barrier = threading.Barrier(num_threads)

    def work(index):
        barrier.wait()
        for _ in range(num_increments):
            if index < 2:
                parent.increment(learner_steps=1)
            else:
                children[index % 2].increment(steps=1, episodes=0.5)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(num_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for child in children:
        child.flush()
    assert parent.get_counts() == {'learner_steps': 2 * num_increments,
                                   'actor_steps': 4 * num_increments,
                                   'actor_episodes': 2.0 * num_increments}


def test_save_and_restore_root():
    counter = counting.Counter()
    assert isinstance(counter, troupe.Saveable)
    counter.increment(steps=4, episodes=2)
    state = counter.save()
    assert state == {'counts': {'steps': 4, 'episodes': 2}, 'cache': {}}
    state['counts']['steps'] = -1  # save() returns a copy.
    assert counter.get_counts() == {'steps': 4, 'episodes': 2}
    counter.increment(steps=100, other=1)
    saved = {'counts': {'steps': 4, 'episodes': 2}, 'cache': {}}
    counter.restore(saved)
    saved['counts']['steps'] = -1  # restore() copies too.
    assert counter.get_counts() == {'steps': 4, 'episodes': 2}
    assert counter.increment(steps=1) == {'steps': 5, 'episodes': 2}


def test_restore_child_resyncs_with_parent():
    parent = counting.Counter()
    child = counting.Counter(parent, prefix='actor', time_delta=NEVER)
    child.increment(steps=1)
    child.increment(steps=2)
    state = child.save()
    assert state == {'counts': {'steps': 2}, 'cache': {'actor_steps': 1}}
    restored = counting.Counter(parent, prefix='actor', time_delta=NEVER)
    restored.restore(state)
    parent.increment(learner_steps=3)
    # The restored child pushes its unsynced count and reads the parent again.
    assert restored.get_counts() == {'actor_steps': 3, 'learner_steps': 3}


@pytest.mark.parametrize('state', [None, {'cache': {}}, [1, 2]])
def test_restore_rejects_bad_state(state):
    with pytest.raises(ValueError, match='counts'):
        counting.Counter().restore(state)


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match='-1'):
        counting.Counter(time_delta=-1)
    with pytest.raises(TypeError, match='3'):
        counting.Counter(prefix=3)
