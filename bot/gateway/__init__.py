"""The request path: the webhook endpoint, applying a callback once, and serving it
under gunicorn."""
