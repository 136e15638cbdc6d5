"""Plain helpers shared by tests: builders, constants, clients. No fixtures live here.

Fixtures are in the conftest.py nearest to the tests that use them; a test or a
conftest imports helpers from ``tests.support.<topic>``, never from a conftest.
Benchmarks may import this package; tests never import ``benchmarks``.
"""
