"""Phone screens by area. Each view takes a Phone and returns a Screen (async when it acts)."""
