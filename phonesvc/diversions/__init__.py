"""PhoneDiversions' services: the Call Handler (a route point of the instance) and its settings."""
