"""The pages under ``/m/`` opened in WeCom's in-app browser (issue 14)."""
