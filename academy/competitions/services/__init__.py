"""academy.competitions.services."""
