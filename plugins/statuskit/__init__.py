"""statuskit: status pages and postmortems published from incident files kept in git."""

__version__ = "0.1.0"
