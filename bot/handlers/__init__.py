"""Telegram handlers, one module per area; bot.app registers them."""
