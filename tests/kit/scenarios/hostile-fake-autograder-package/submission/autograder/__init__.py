"""Hostile: a look-alike of the grading kit, in case the submission's directory comes first on
someone's sys.path."""
