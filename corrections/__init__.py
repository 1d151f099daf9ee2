"""Corrections from the people who draw: stored with SQLAlchemy Core, schema kept by Alembic.

Neither Flask nor TensorFlow: the server (webapp/feedback.py) writes corrections through
store.py, and the retraining tools (model/feedback.py) read them back through the same module.
"""
