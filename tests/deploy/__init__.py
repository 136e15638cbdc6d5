"""Tests of deploy/: the files an operator copies, and nginx in front of the app."""
