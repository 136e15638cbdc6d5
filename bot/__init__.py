"""The WeCom bot: the web app, the command line, and the chat logic behind them."""
