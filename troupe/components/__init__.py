"""The parts agents are composed of: loop, actors, adders, replay, networks, ..."""
