"""Benchmarks for openai-cost-tui: ``python -m benchmarks [--quick] [--json PATH]``.

Not a test suite: nothing here asserts a time. See ``benchmarks/README.md`` for what is measured,
how, and the figures measured on the project's 2-core machine.
"""
