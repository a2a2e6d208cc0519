"""academy.learning.services."""
