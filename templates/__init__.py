"""Jinja2 templates and the fonts they embed, shipped as package data (no code lives here)."""
