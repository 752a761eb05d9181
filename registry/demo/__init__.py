"""The demo catalog govcat ships: departments of one province and generated resources."""
