"""academy.people.services."""
