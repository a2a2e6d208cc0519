"""academy.competitions.models."""
