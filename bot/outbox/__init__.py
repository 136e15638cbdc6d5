"""The sender process: delivers the ``outbox`` table's rows through the WeCom API."""
