"""Training, evaluation and export of the models that reading/ serves (reading/models.py lists
them and their files)."""
