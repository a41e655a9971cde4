"""Agents: one package per algorithm, plus the Agent combiner."""

from troupe.agents.agent import Agent

__all__ = ['Agent']
