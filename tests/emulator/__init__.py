"""The emulator's own tests: tgemulator against the REAL python-telegram-bot, no product code."""
