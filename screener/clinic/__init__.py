"""The clinic side: queue, summaries, exports, audit."""
