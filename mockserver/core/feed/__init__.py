"""The live feed (what the inbox, SSE streams and waits listen to) and its relay between processes."""
