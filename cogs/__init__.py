"""One cog per user-facing area; each file ends with `async def setup(bot)`."""
