"""Names across scripts. For now all of it is in readings.py (moved from
search/names.py); the next change splits it."""
