"""academy.people.views."""
