"""The WeCom adapter: callback crypto and XML, passive replies, the server API client,
the shared access token. The only package that imports wechatpy (in crypto.py)."""
