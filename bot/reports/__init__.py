"""Pure renderers of the committee reports: period parsing, spreadsheet, chart, QR poster.

Nothing here imports telegram: the CLI (`hopthu export`, `hopthu qr`) and the bot's handlers share them.
"""
