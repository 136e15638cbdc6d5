"""The scheduler process: timed jobs (reminders, digests, escalation, retention), run
only by the process that holds the database lease."""
