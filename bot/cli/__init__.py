"""The `precis` command line: `main` runs the bot, `news` reads articles from files and URLs."""
