"""The problem ledger's pure logic: classification, the workflow state machine, clocks.

Nothing here imports Flask, wechatpy, SQLAlchemy or reads the clock; storage lives in
:mod:`storage.problems` and chat glue in :mod:`bot.handlers.ledger`.
"""
