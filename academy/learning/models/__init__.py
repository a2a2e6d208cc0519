"""academy.learning.models."""
