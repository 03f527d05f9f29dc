"""Demo data for the one-command demo: Chengdu's real counties, generated townships and
villages, 10,000+ publishing units, and one login per role.

Everything is derived from a seed with `random.Random(seed)`, never the global generator,
so two runs with the same seed build the same city. `loader.demo_load` writes it.
"""
