"""Corrections from the people who draw: stored with SQLAlchemy Core, schema kept by Alembic.

Neither Flask nor TensorFlow: the server (webapp/corrections_api.py) writes corrections through
store.py, and the retraining tools (model/correction_data.py) read them back through the same module.
"""
