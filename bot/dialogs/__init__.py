"""The visit dialog: questionnaire templates and the pure engine that walks a cadre
through one visit."""
