"""Local tools, never used in production: a fake WeCom, the terminal simulator, the
demo, and the callback builders the simulator, tests and benchmarks send with."""
