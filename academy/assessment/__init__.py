"""academy.assessment."""
