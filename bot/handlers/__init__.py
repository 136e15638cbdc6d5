"""Chat handlers: the router and what each command or message does, inside the
callback's unit of work."""
