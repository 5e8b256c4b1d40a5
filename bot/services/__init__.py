"""The core services: the pipeline and storage put to work for each area of the bot."""
