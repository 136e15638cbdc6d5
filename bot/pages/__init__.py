"""The pages under ``/m/`` that leaders, cadres and administrators open in WeCom.

``views`` is the Flask blueprint (总览, 问题台账, 讲评, 下载, 名册), ``auth`` the WeCom
web authorization and the session, ``tokens`` the signed links sent in chat, ``links``
the URLs other parts of the app put in messages. Every figure comes from
:mod:`storage.facts`; every change goes through the same services as chat.
"""
