"""Grading kit for PyTorch courses."""
