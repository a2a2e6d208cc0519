"""academy.assessment.views."""
