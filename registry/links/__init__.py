"""Link health: the last answer of every access and download URL the published catalog names."""
