"""Glossator's data files; installed as the package ``glossator_resources`` (see tei/resources.py)."""
