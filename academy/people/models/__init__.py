"""academy.people.models."""
