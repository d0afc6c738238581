"""The vocabulary and rules of the manuals that need no I/O."""
