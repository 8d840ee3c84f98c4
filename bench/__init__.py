"""The performance benchmark: `make bench` (``python -m bench.run``) measures the dashboard against
its floor and writes bench/results.md and bench/results.json. ``bench.generate`` makes the larger
packages (10x, 100x the shipped one) from a fixed seed."""
