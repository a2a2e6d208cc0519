"""Curricula and question banks: Markdown files in, frozen dataclasses out.

Nothing here touches the database or the request; tests call it without an app.
"""
