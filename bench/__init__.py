"""Benchmarks of the policy pack and the offline gate (``python bench/run.py``; see bench/README.md)."""
